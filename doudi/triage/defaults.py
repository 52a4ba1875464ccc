"""The default cause taxonomy (DESIGN.md) and a starter library of standard solutions."""

from __future__ import annotations

# (code, name, parent code or None, default tier)
CAUSES: tuple[tuple[str, str, str | None, str], ...] = (
    ("CANNOT", "办不了（法律政策不允许）", None, "cannot"),
    ("HARD", "很难办", None, "general"),
    ("HARD-MATERIALS", "材料不全或不清晰", "HARD", "general"),
    ("HARD-MULTI", "需要多部门协同", "HARD", "complex"),
    ("HARD-POLICY", "政策空白或新旧政策冲突", "HARD", "complex"),
    ("HARD-LEGACY", "历史遗留问题", "HARD", "complex"),
    ("HARD-SYSTEM", "系统或数据问题", "HARD", "general"),
    ("REFUSED", "不给办", None, "refused"),
    ("REFUSED-SHIRK", "推诿扯皮、不愿担责", "REFUSED", "refused"),
    ("REFUSED-ATTITUDE", "服务态度问题", "REFUSED", "refused"),
    ("REFUSED-CONDITIONS", "增设办事指南以外的条件", "REFUSED", "refused"),
    ("OUT", "不属于受理范围", None, "general"),
    ("OUT-LEGAL", "涉法涉诉涉访", "OUT", "general"),
    ("OUT-PRIVATE", "私人纠纷", "OUT", "general"),
    ("OTHER", "其他", None, "general"),
)

# (cause code, title, steps)
PACKAGES: tuple[tuple[str, str, str], ...] = (
    (
        "CANNOT",
        "依法不予办理的书面告知",
        "1. 承办部门核实法律政策依据；\n2. 3个工作日内出具否定答复报告，写明依据条款；\n3. 告知反映人其他可行途径。",
    ),
    (
        "HARD-MATERIALS",
        "一次性告知补齐材料",
        "1. 对照办事指南逐项列出缺少的材料；\n2. 能通过数据共享获取的，不再要求群众提供；\n3. 材料齐全后当场受理。",
    ),
    (
        "HARD-MULTI",
        "多部门联办（并联）",
        "1. 主办部门牵头，协办部门同步办理；\n2. 主办部门汇总结果统一答复；\n3. 专班跟踪各部门进度。",
    ),
    (
        "HARD-POLICY",
        "政策衔接会商",
        "1. 主办部门提出适用意见；\n2. 专班组织相关部门会商；\n3. 形成一事一议结论并答复。",
    ),
    (
        "HARD-LEGACY",
        "历史遗留问题专项处置",
        "1. 调取历史档案，厘清事实；\n2. 相关部门联合研判；\n3. 明确办理路径和时限。",
    ),
    (
        "HARD-SYSTEM",
        "系统故障线下兜底办理",
        "1. 先行线下受理；\n2. 同步报告系统主管部门修复；\n3. 修复后补录数据并告知群众。",
    ),
    (
        "REFUSED-SHIRK",
        "限期办结并问责",
        "1. 3个工作日内办结；\n2. 督办员核查推诿情形；\n3. 纳入窗口和人员考核。",
    ),
    (
        "REFUSED-ATTITUDE",
        "约谈整改",
        "1. 核实服务过程；\n2. 对相关人员约谈提醒；\n3. 向反映人致歉并回访。",
    ),
    (
        "REFUSED-CONDITIONS",
        "取消额外条件并办理",
        "1. 按办事指南办理，不得增设条件；\n2. 3个工作日内办结；\n3. 纳入问责审查。",
    ),
    (
        "OUT-LEGAL",
        "引导依法通过诉讼或信访途径",
        "1. 一次性告知受理机关和途径；\n2. 必要时协助转办。",
    ),
    ("OUT-PRIVATE", "引导调解", "1. 告知人民调解、行业调解等途径；\n2. 提供联系方式。"),
)
