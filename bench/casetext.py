"""Realistic Chinese case text for the generated history: titles, accounts and outcomes.

Text search needs text whose words occur as often as in real reports: a few words everywhere
(窗口, 材料, 办理), the matter's own words often within its topic (社保卡, 户口迁入, 营业执照)
and rarely elsewhere, and a long tail (streets, companies, documents, amounts, dates). Each
case is built from its service item's name and topic: a title from a pattern, an account of
two to five sentences drawn from general and topical phrase lists with their slots filled,
a request, and (when the case was settled) an outcome. Written for this benchmark; no real
report is copied here.
"""

from __future__ import annotations

import random

# Topic keywords found in a service item's name, and the topic's own phrases.
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "社保": (
        ("养老保险", "社会保障卡", "社会保险", "工伤", "失业", "参保", "权益记录", "丧葬"),
        (
            "社保缴费记录中有{n}个月显示断缴",
            "社保卡补换后原卡内的医保余额没有转过来",
            "养老保险关系从外省转移接续，转出地说已办完，这边却查不到",
            "单位未按时足额缴纳社保，{n}个月的缴费基数与工资不符",
            "办理社保卡时被告知照片不合格，重新拍照后又说系统排队",
            "退休后养老金待遇核定比预期少，窗口说不清计算依据",
            "工伤认定材料已交齐，仍被要求单位出具情况说明",
            "灵活就业人员社保补贴申请被退回，理由是缺少就业登记",
            "社保个人权益记录打印出来与实际缴费年限不一致",
            "外地户籍在本区缴纳社保，办理转移时被要求回原籍开证明",
            "失业保险金申领被告知需要原单位盖章，但单位已经注销",
        ),
    ),
    "医保": (
        ("医疗", "医保", "生育"),
        (
            "异地就医备案后，住院费用仍不能直接结算",
            "门诊慢特病资格认定材料交了三次，每次说法不一样",
            "医保报销时被要求提供原始发票，但发票已交给单位",
            "新生儿医保参保登记在线上一直提示身份信息不符",
            "生育津贴申领超过{n}个工作日仍未到账",
            "医保个人账户家庭共济绑定不了，系统提示关系证明缺失",
        ),
    ),
    "户口": (
        ("户口", "身份证", "出生登记", "户籍", "姓名变更", "死亡注销"),
        (
            "办理户口迁入时被要求提供房屋产权证明原件，但房子是租的",
            "孩子出生登记报户口，要求提供父母结婚证，父母是事实婚姻",
            "集体户口迁出需要单位开介绍信，原单位已经改制",
            "身份证补领后，社保和银行系统里还是旧证件号",
            "户口本上的曾用名与档案记录不一致，派出所说要去原籍核实",
            "落户申请材料齐全，窗口说需要等户籍系统升级后才能办",
            "老人去世后办理户口注销，被要求提供火化证明以外的材料",
            "临时身份证办理后{n}天才能取，耽误了高铁出行",
        ),
    ),
    "公积金": (
        ("公积金", "住房", "租赁", "公租房", "保障"),
        (
            "提取住房公积金支付房租，被要求提供备案的租赁合同",
            "公积金贷款审批超过{n}个工作日没有结果",
            "公租房资格申请提交后一直显示审核中，电话无人接听",
            "住房租赁合同登记备案时房东不配合，窗口说必须双方到场",
            "离职后公积金账户封存，转移到新单位时系统提示账户异常",
            "保障性租赁住房申请被告知收入证明格式不对",
        ),
    ),
    "营业执照": (
        ("营业执照", "公司", "个体工商户", "企业", "合作社", "分公司", "注销", "经营异常"),
        (
            "营业执照遗失补领，被要求先登报声明再来办理",
            "公司变更经营范围，网上提交后被退回{n}次，每次理由不同",
            "个体工商户注册地址是住宅，窗口说需要居委会出具证明",
            "企业简易注销公告期满，税务那边还显示有未结清事项",
            "公司名称核准通过后，设立登记时又说名称与已有企业近似",
            "分公司设立登记要求总公司法定代表人本人到场签字",
            "经营异常名录移出申请提交后一个月没有回音",
            "营业执照经营场所变更后，电子执照没有同步更新",
        ),
    ),
    "食品": (
        ("食品",),
        (
            "食品经营许可延续申请，被要求重新现场核查",
            "小餐饮店备案时，要求提供的平面图需要专业机构盖章",
            "食品经营许可变更法定代表人，需要原法定代表人到场",
            "仅销售预包装食品备案，系统里找不到对应的经营项目",
        ),
    ),
    "不动产": (
        ("不动产", "房", "抵押", "登记"),
        (
            "二手房过户时被告知原房产证信息与系统登记不一致",
            "不动产登记申请提交后{n}个工作日仍未出证",
            "继承房产办理转移登记，要求所有继承人到场，其中一人在国外",
            "抵押注销后不动产证书上的抵押记录没有删除",
            "房屋面积测绘结果与购房合同不一致，不动产登记中心不予受理",
            "历史遗留的房改房没有土地证，无法办理不动产登记",
        ),
    ),
    "税务": (
        ("税", "发票"),
        (
            "申领发票时被要求补充提供经营场所照片",
            "个人所得税汇算清缴退税一直显示审核中",
            "税务登记信息与营业执照不一致，开不出增值税发票",
            "房产交易契税缴纳后，完税证明迟迟打印不出来",
            "小规模纳税人申请代开发票，被要求先补申报{n}个月",
        ),
    ),
    "婚姻": (
        (
            "婚姻",
            "婚",
        ),
        (
            "补领结婚证时被要求提供当年的婚姻登记档案，但档案找不到",
            "涉外婚姻登记预约不上，网上一直显示已约满",
            "离婚登记冷静期满后去办理，被告知需要重新预约",
        ),
    ),
    "就业": (
        ("就业", "职业", "创业", "档案", "毕业生", "人才"),
        (
            "高校毕业生就业报到证遗失，补办要求回学校开证明",
            "创业担保贷款申请被银行退回，说担保条件不符合",
            "职业技能培训补贴申领超过{n}个月没有发放",
            "流动人员人事档案转入时，被告知缺少转档函",
            "就业困难人员认定，要求提供的失业证明在外区开不出来",
        ),
    ),
    "残疾": (
        ("残疾", "残联"),
        (
            "残疾人证换领需要重新评定，评定医院排到{n}个月以后",
            "残疾人两项补贴申请提交后一直没有发放",
            "重度残疾人上门评残预约不上",
        ),
    ),
    "退役": (
        ("退役", "优抚", "军人"),
        (
            "退役军人优待证申领进度查询不到",
            "退役士兵安置待遇与政策不符，窗口说不清楚",
        ),
    ),
    "教育": (
        ("教育", "学", "入园", "学籍"),
        (
            "孩子入学审核要求提供居住证满{n}年的证明",
            "学籍转入被告知名额已满，但没有书面答复",
            "随迁子女入学材料中的社保缴纳证明格式不被认可",
        ),
    ),
    "建设": (
        ("建设", "施工", "电梯", "竣工", "预售", "物业", "规划"),
        (
            "既有住宅加装电梯备案，要求全体业主签字同意",
            "建筑工程施工许可证核发超过承诺时限{n}天",
            "竣工验收备案被要求补充消防验收意见，但消防已并入",
            "物业服务企业项目备案，系统提示资质信息不存在",
        ),
    ),
}
# Every matter shares these.
GENERAL = (
    "窗口工作人员要求提供办事指南以外的证明材料",
    "已经来回跑了{n}趟，每次都被告知缺少材料",
    "工作人员态度生硬，不解释原因就让回去等通知",
    "两个部门互相推诿，都说不归自己管",
    "网上办理提交后被退回，退回理由看不懂",
    "系统显示数据不一致，窗口说需要后台处理，但一直没有结果",
    "办事指南上写的是即来即办，实际要等{n}个工作日",
    "电话咨询和窗口答复的要求不一样",
    "取号排队两个多小时，轮到时窗口说今天系统维护",
    "材料齐全仍不予受理，也没有出具一次性告知单",
    "工作人员说这是新政策，但说不出政策文件名称",
    "要求提供的证明需要到{place}开具，那里说不出这种证明",
    "老人行动不便，窗口坚持要本人到场",
    "线上预约的时间到了现场却说预约无效",
    "之前在{place}办过一次，同样的材料这次不认了",
)
OPENINGS = (
    "{date}到{centre}办理{item}。",
    "本人于{date}前往{centre}{window}申请{item}。",
    "反映人称{date}在{centre}办理{item}时遇到问题。",
    "我是{place}居民，{date}为{item}的事到{centre}。",
    "{company}经办人反映，{date}为公司办理{item}。",
    "来电人反映，近期办理{item}不顺利。",
)
REQUESTS = (
    "希望尽快办理。",
    "请求给出明确的办理时限和书面答复。",
    "希望相关部门说明依据，不要再让来回跑。",
    "请求核实情况并对相关工作人员进行批评教育。",
    "希望一次性告知需要的全部材料。",
    "请求协调相关部门共同解决。",
    "希望能够容缺受理，后补材料。",
)
OUTCOMES = (
    "经协调{dept}，已当场为反映人办结{item}。",
    "已与{dept}核实，属窗口人员告知不准确，已按办事指南受理并办结。",
    "{dept}已安排专人对接，{n}个工作日内办结并电话告知反映人。",
    "经核查，现行政策不允许办理，已书面告知依据并指引其他办理途径。",
    "系统数据问题已由{dept}后台修正，反映人已重新提交并办结。",
    "已开通绿色通道，采用容缺受理方式办理，后补材料。",
    "已对相关工作人员进行批评教育，并纳入月度考核。",
    "已为反映人提供帮办代办服务，{item}已办结。",
    "属历史遗留问题，已提交{dept}研究，形成解决方案后答复反映人。",
)
PLACES = (
    "和平里街道",
    "建国门街道",
    "东华门街道",
    "安定门街道",
    "交道口街道",
    "景山街道",
    "东四街道",
    "朝阳门街道",
    "北新桥街道",
    "东直门街道",
    "龙潭街道",
    "天坛街道",
    "永定门外街道",
    "体育馆路街道",
    "前门街道",
    "崇文门外街道",
    "和平里一社区",
    "和平里二社区",
    "原籍派出所",
    "原单位",
    "居委会",
    "村委会",
    "户籍所在地",
    "外省社保局",
)
COMPANY_WORDS = (
    "华信",
    "恒达",
    "瑞丰",
    "金桥",
    "宏远",
    "新源",
    "博雅",
    "顺达",
    "鼎盛",
    "安和",
    "嘉禾",
    "利民",
)
COMPANY_KINDS = (
    "科技有限公司",
    "商贸有限公司",
    "餐饮管理有限公司",
    "建筑工程有限公司",
    "物业服务有限公司",
    "文化传媒有限公司",
    "便利店",
    "家政服务有限公司",
)
CENTRES = ("区政务服务中心", "街道政务服务中心", "社区便民服务站", "区政务服务大厅")
WINDOWS = ("综合受理窗口", "社保窗口", "医保窗口", "企业开办窗口", "户籍窗口", "不动产登记窗口")
DEPARTMENTS = (
    "区人力社保局",
    "区社保中心",
    "区医保局",
    "区市场监管局",
    "公安分局户政支队",
    "区住建委",
    "区不动产登记中心",
    "区税务局",
    "区民政局",
    "区教委",
    "区残联",
    "区退役军人事务局",
)
TITLES = (
    "{item}被要求补交证明材料",
    "{item}多次往返仍未办成",
    "{item}{keyword}问题",
    "反映{item}办理时限过长",
    "{keyword}办理遇到困难",
    "{item}窗口推诿",
    "{item}网上申请被退回",
    "关于{keyword}的诉求",
    "{item}工作人员态度差",
)


class CaseText:
    """Text for generated cases, from its own random stream (the rest of the history is the
    same with or without it)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._topics: dict[str, str] = {}

    def _topic(self, item: str) -> str:
        if item not in self._topics:
            found = [name for name, (keys, _) in TOPICS.items() if any(k in item for k in keys)]
            self._topics[item] = found[0] if found else ""
        return self._topics[item]

    def _fill(self, pattern: str, item: str, keyword: str) -> str:
        rng = self.rng
        return pattern.format(
            n=rng.choice((2, 3, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30)),
            place=rng.choice(PLACES),
            date=f"{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日",
            centre=rng.choice(PLACES[:18]) + rng.choice(CENTRES),
            window=rng.choice(WINDOWS),
            company=rng.choice(COMPANY_WORDS)
            + rng.choice(COMPANY_WORDS)
            + rng.choice(COMPANY_KINDS),
            item=item,
            keyword=keyword,
            dept=rng.choice(DEPARTMENTS),
        )

    def case(self, item: str, *, settled: bool) -> dict[str, str]:
        """Title, description, request and (when ``settled``) outcome for a case about ``item``."""
        rng = self.rng
        topic = self._topic(item)
        keys, phrases = TOPICS.get(topic, ((item,), ()))
        keyword = topic or rng.choice(keys)
        sentences = [self._fill(rng.choice(OPENINGS), item, keyword)]
        for _ in range(rng.choice((1, 2, 2, 3, 4))):
            # Mostly the matter's own problems, sometimes a general one (or another topic's).
            if phrases and rng.random() < 0.6:
                pool = phrases
            elif rng.random() < 0.9:
                pool = GENERAL
            else:
                pool = TOPICS[rng.choice(list(TOPICS))][1]
            sentences.append(self._fill(rng.choice(pool), item, keyword) + "。")
        return {
            "title": self._fill(rng.choice(TITLES), item, keyword)[:100],
            "description": "".join(sentences),
            "request": rng.choice(REQUESTS),
            "outcome": self._fill(rng.choice(OUTCOMES), item, keyword) if settled else "",
        }
