"""The routing classifier on small made-up messages (the public data is not in the repository;
bench/ measures accuracy on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from doudi.lib import routing
from doudi.lib.routing import DataError, Example

TOPICS = {
    "人社": ("养老保险", "社保卡", "失业金", "退休工资", "医保报销", "工伤认定"),
    "交通": ("公交线路", "道路拥堵", "红绿灯", "停车位", "出租车", "地铁站"),
    "教育": ("学校招生", "教师工资", "幼儿园", "学区划分", "课外培训", "校车"),
}


def examples(start: int, count: int) -> list[Example]:
    out = []
    for label, words in TOPICS.items():
        for i in range(start, start + count):
            a, b = words[i % len(words)], words[(i + 2) % len(words)]
            out.append(Example(f"关于{a}的问题", f"我反映{a}和{b}的情况，希望尽快处理。", label))
    return out


def test_it_learns_the_labels_and_ranks_them_with_a_confidence() -> None:
    model = routing.train(examples(0, 12))
    result = routing.evaluate(model, examples(12, 6))
    assert result.examples == 18
    assert result.macro_f1 == pytest.approx(1.0)
    assert [c.label for c in result.classes] == sorted(TOPICS)
    ranked = model.suggest("社保卡丢了", "补办社保卡要跑几趟？")
    assert ranked[0][0] == "人社"
    assert len(ranked) == 3
    confidences = [c for _, c in ranked]
    assert confidences == sorted(confidences, reverse=True)
    assert 0 < confidences[-1] < confidences[0] <= 1


def test_a_saved_model_predicts_the_same(tmp_path: Path) -> None:
    model = routing.train(examples(0, 8))
    routing.save(model, tmp_path / "m.joblib")
    again = routing.load(tmp_path / "m.joblib")
    probe = examples(20, 2)
    assert again.predict(probe) == model.predict(probe)


def test_the_title_counts_twice_and_punctuation_is_dropped() -> None:
    assert routing.document("社保卡", "补办，要带什么？") == "社保卡 社保卡 补办 要 带 什么"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("title,text,label\n甲,乙,丙\n", r"missing column\(s\) body"),
        ("title,body,label\n甲,乙,\n", "line 2: the label is empty"),
        ("title,body,label\n,,人社\n", "line 2: neither title nor body"),
        ("title,body,label\n", "no labelled messages"),
    ],
)
def test_a_bad_file_is_refused_with_the_reason(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "data.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        routing.read_examples(path)


def test_one_label_is_not_enough_to_train() -> None:
    with pytest.raises(DataError, match="two labels"):
        routing.train([Example("社保", "养老", "人社")] * 3)
