from __future__ import annotations

from doudi.lib.prose import clause, join_clauses


def test_typed_sentences_join_without_doubled_punctuation() -> None:
    assert clause(" 预计需3个工作日。 ") == "预计需3个工作日"
    assert clause("已办结；") == "已办结"
    assert clause("是否可以？") == "是否可以？"  # a question keeps its mark
    assert join_clauses(["区人社局：已补办。", "", "区民政局：已告知，", "附件 2 个"]) == (
        "区人社局：已补办；区民政局：已告知；附件 2 个"
    )
