"""Recurring-problem clusters on small made-up messages (the public data stays out of the
repository; bench/clusters.py reads it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from doudi.lib import clustering
from doudi.lib.clustering import Document

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

PARKING = [
    ("幸福里小区开发商捆绑销售车位", "幸福里小区开发商要求买房必须同时购买车位，否则不卖房。"),
    ("投诉幸福里小区捆绑销售车位", "幸福里小区购房时被强制捆绑购买车位，十几万元。"),
    ("幸福里小区强制捆绑车位销售合法吗", "开发商强制捆绑销售车位，幸福里小区业主不同意。"),
    ("反对幸福里小区捆绑销售车位", "幸福里小区捆绑销售车位，请相关部门查处开发商。"),
]
MIXER = [
    ("东湖新村旁搅拌站噪音扰民", "东湖新村附近新建混凝土搅拌站，日夜施工噪音很大，灰尘严重。"),
    ("投诉东湖新村附近搅拌站灰尘污染", "东湖新村小区旁边的搅拌站灰尘太大，噪音扰民，无法开窗。"),
    ("东湖新村搅拌站彻夜施工", "搅拌站就在东湖新村围墙外，彻夜施工，噪音和粉尘污染严重。"),
]
OTHERS = [
    ("社保卡补办要求提供原单位证明", "原单位已经注销，窗口要求必须提供证明，无法办理。"),
    ("营业执照变更登记材料被退回三次", "每次去都说缺一样材料，没有一次性告知。"),
    ("孩子入学户籍证明开不出来", "派出所说不归他们管，学校说必须要派出所盖章。"),
    ("公积金提取审核超过一个月", "提交材料一个多月了，一直显示审核中，电话无人接听。"),
    ("不动产登记预约排不上号", "网上预约每天一放号就没有了，现场也不能取号。"),
    ("路灯坏了半年没人修", "青年路中段三盏路灯坏了半年，晚上很黑，多次反映无果。"),
]


def docs(texts: list[tuple[str, str]], start: int = 0, **extra: object) -> list[Document]:
    return [
        Document(
            key=start + n,
            title=title,
            body=body,
            reporter=f"person-{start + n}",
            at=T0 + timedelta(days=n),
            **extra,  # type: ignore[arg-type]
        )
        for n, (title, body) in enumerate(texts)
    ]


def groups(clusters: list[clustering.Cluster]) -> list[set[int]]:
    return [set(c.keys) for c in clusters]


def test_it_puts_near_duplicates_together_and_leaves_unrelated_messages_alone() -> None:
    found = clustering.find_clusters(docs(PARKING, 0) + docs(MIXER, 100) + docs(OTHERS, 200))
    assert {0, 1, 2, 3} in groups(found)
    assert {100, 101, 102} in groups(found)
    clustered = set().union(*groups(found))
    assert not clustered & set(range(200, 206))


def test_it_labels_a_cluster_with_its_shared_words_and_puts_a_central_message_first() -> None:
    found = clustering.find_clusters(docs(PARKING, 0) + docs(OTHERS, 200))
    parking = next(c for c in found if 0 in c.keys)
    assert "车位" in parking.label or "捆绑" in parking.label
    assert parking.cohesion > 0.3
    assert set(parking.keys) == {0, 1, 2, 3}


def test_it_joins_moderately_similar_messages_about_the_same_service_item() -> None:
    pair = [
        ("办理失业保险金申领被要求补材料", "窗口说需要原单位出具离职证明。"),
        ("失业金申请一直不通过", "单位已经倒闭，社保窗口仍要离职证明才给办。"),
    ]
    apart = clustering.find_clusters(docs(pair, 0) + docs(OTHERS, 200))
    together = clustering.find_clusters(docs(pair, 0, item="i7") + docs(OTHERS, 200))
    assert {0, 1} not in groups(apart)
    assert {0, 1} in groups(together)


def test_it_counts_distinct_reporters_and_growth_between_the_halves_of_the_period() -> None:
    same_person = [
        Document(key=n, title=t, body=b, reporter="same", at=T0 + timedelta(days=20 + n))
        for n, (t, b) in enumerate(PARKING)
    ]
    many = docs(MIXER, 100)
    found = clustering.find_clusters(same_person + many, start=T0, end=T0 + timedelta(days=30))
    parking = next(c for c in found if 0 in c.keys)
    mixer = next(c for c in found if 100 in c.keys)
    assert (parking.size, parking.reporters) == (4, 1)
    assert (parking.earlier, parking.recent, parking.growth) == (0, 4, 4)
    assert (mixer.reporters, mixer.earlier, mixer.recent, mixer.growth) == (3, 3, 0, -3)
    # Ranked by distinct reporters first, by count or growth on demand.
    assert found[0] is mixer
    assert clustering.rank(found, "count")[0] is parking
    assert clustering.rank(found, "growth")[0] is parking


def test_a_signature_matches_a_later_look_alike_and_not_an_unrelated_message() -> None:
    signature = clustering.signature_of(docs(PARKING, 0), background=docs(OTHERS, 200))
    restored = clustering.Signature.from_json(signature.as_json())
    later = clustering.match(restored, "幸福里小区还在捆绑销售车位", "开发商又要求买房必须买车位。")
    unrelated = clustering.match(restored, "路灯坏了没人修", "青年路的路灯坏了很久。")
    assert later >= clustering.MATCH_THRESHOLD > unrelated
    assert clustering.match(clustering.Signature({}, {}, 1.0), "任何", "内容") == 0.0


def test_it_needs_two_documents_and_ignores_punctuation_and_full_width_letters() -> None:
    assert clustering.find_clusters(docs(PARKING[:1])) == []
    assert clustering.bigrams("ＡＢ，小区", "") == clustering.bigrams("ab 小区", "")


def _noise(count: int, start: int) -> list[Document]:
    """Unrelated messages: random strings of common characters, none alike."""
    import random

    rng = random.Random(7)
    alphabet = (
        "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
        "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
        "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
        "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
        "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
        "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
        "几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器"
        "压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安"
        "场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集"
        "温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连"
        "断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精"
        "值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属"
        "圆包火住调满县局照参红细引听该铁价严"
    )
    return [
        Document(
            key=start + n,
            title="".join(rng.choice(alphabet) for _ in range(12)),
            body="".join(rng.choice(alphabet) for _ in range(60)),
            reporter=f"noise{n}",
            at=T0,
        )
        for n in range(count)
    ]


def test_a_problem_that_is_many_of_the_period_s_cases_still_clusters() -> None:
    # 600 reports of one problem among 2,000 others: 23% of the period (its words were once
    # dropped as common above 5% and 250 documents, and it fell apart).
    same = [
        Document(
            key=10_000 + n,
            title=f"社保卡补办被窗口退回第{n}次",
            body="社保卡补办被窗口退回，要求原单位证明，原单位已注销。",
            reporter=f"p{n}",
            at=T0,
        )
        for n in range(600)
    ]
    clusters = clustering.find_clusters([*same, *_noise(2000, 0)])
    assert clusters
    assert len(clusters[0].keys) >= 590


def test_a_large_issue_s_signature_keeps_its_own_words() -> None:
    issue = [
        Document(key=n, title="社保卡补办被退回", body=f"社保卡补办要求原单位证明{n}", at=T0)
        for n in range(30)
    ]
    signature = clustering.signature_of(issue, _noise(100, 1000))
    assert clustering.match(signature, "又一次社保卡补办被退回", "补办社保卡要原单位证明") >= 0.2


def _flood(count: int) -> list[Document]:
    """One problem told almost alike by ``count`` reporters (a system down for a week)."""
    return [
        Document(
            key=n,
            title="不动产登记系统故障无法办理",
            body=f"第{n % 7}次去不动产登记窗口，系统故障，无法办理抵押登记。",
            reporter=f"p{n}",
            at=T0,
        )
        for n in range(count)
    ]


def test_a_flood_of_look_alikes_keeps_its_neighbours_bounded_and_still_clusters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every pair of 240 look-alikes is a candidate; each keeps only its NEIGHBOURS best later
    # ones, and the products are taken a few rows at a time.
    monkeypatch.setattr(clustering, "NEIGHBOURS", 5)
    monkeypatch.setattr(clustering, "BLOCK_PRODUCTS", 1000)
    flood = _flood(240)
    space = clustering._vectorise(flood)
    blocks = list(clustering._blocks(clustering._heaviest(space.matrix, clustering.TOP_TERMS)))
    assert len(blocks) == 60  # each row may meet all 240: 4 rows within 1,000 products
    assert blocks[0][0] == 0
    assert blocks[-1][1] == 240
    assert [start for start, _ in blocks[1:]] == [stop for _, stop in blocks[:-1]]
    items = np.array([""] * len(flood), dtype=object)
    i, _, _ = clustering._pairs(space, items, clustering.THRESHOLD)
    assert np.bincount(i).max() <= 5
    assert len(i) >= 5 * 230  # the first 235 have 5 later look-alikes each
    clusters = clustering.find_clusters([*flood, *_noise(200, 1000)])
    assert set(clusters[0].keys) == set(range(240))


def test_a_group_too_large_for_a_dense_matrix_is_split_level_by_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clustering, "MAX_DENSE", 3)
    # 0-1-2-3 linked at 0.5, but 1-2 only at 0.3: too large at 0.2, split in two at 0.35.
    i, j = np.array([0, 1, 2, 5]), np.array([1, 2, 3, 6])
    sims = np.array([0.5, 0.3, 0.5, 0.9], dtype=np.float32)
    found = clustering._groups(8, i, j, sims, 0.2)
    assert sorted(map(list, found)) == [[0, 1], [2, 3], [5, 6]]


def test_counting_a_chunk_at_a_time_gives_the_vectors_of_counting_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [*docs(PARKING), *docs(MIXER, 10), *docs(OTHERS, 20), *_noise(300, 100)]
    whole = clustering._vectorise(texts)
    monkeypatch.setattr(clustering, "CHUNK_CHARS", 200)
    assert len(list(clustering._text_chunks(texts))) > 50
    chunked = clustering._vectorise(texts)
    assert np.array_equal(whole.vocabulary, chunked.vocabulary)
    assert np.array_equal(whole.idf, chunked.idf)
    assert abs(whole.matrix - chunked.matrix).max() == 0
    assert chunked.matrix.has_sorted_indices
    lengths = np.sqrt(np.asarray(chunked.matrix.multiply(chunked.matrix).sum(axis=1)).ravel())
    # Unit length, less the bigrams of one document only (dropped after the norm was taken).
    assert (lengths <= 1.0 + 1e-6).all()
    assert lengths[:4].min() > 0.5  # the parking reports share most of their bigrams


def test_the_cut_keeps_each_row_s_largest_entries_span_by_span(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import scipy.sparse as sp

    rng = np.random.default_rng(7)
    matrix = sp.random(40, 30, density=0.4, format="csr", random_state=3, dtype=np.float32)
    matrix.data = rng.random(matrix.nnz, dtype=np.float32)
    spans = list(clustering._row_spans(matrix.indptr, 30))
    assert spans[0][0] == 0
    assert spans[-1][1] == 40
    assert len(spans) > 10
    assert [start for start, _ in spans[1:]] == [stop for _, stop in spans[:-1]]
    assert all(matrix.indptr[stop] - matrix.indptr[start] <= 30 for start, stop in spans)
    monkeypatch.setattr(clustering, "_row_spans", lambda indptr, _: [(0, 7), (7, 8), (8, 40)])
    cut = clustering._heaviest(matrix, 4)
    for row in range(40):
        values = matrix[row].toarray().ravel()
        expected = np.sort(values[values > 0])[::-1][:4]
        assert np.array_equal(np.sort(cut[row].data)[::-1], expected)
        assert set(cut[row].indices) <= set(matrix[row].indices)
