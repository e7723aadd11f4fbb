"""Scottish STV checked against counts worked by hand from the text of rules 45-52."""

from __future__ import annotations

from decimal import Decimal as D

from counting_helpers import make

from bot.engines.counting.scottish import count_scottish


def votes(stage: object) -> dict[str, str]:
    return {k: f"{v:f}" for k, v in stage.votes.items()}  # type: ignore[attr-defined]


def test_surplus_transfer_value_truncated_to_five_places() -> None:
    # 21 valid papers, 2 seats: quota = floor(21 / 3) + 1 = 8 (rule 46).
    p = make("ABCD", [(8, "AB"), (2, "AC"), (1, "A"), (3, "B"), (4, "C"), (3, "D")])
    r = count_scottish(p, seats=2)
    assert r.quota == D("8") and r.valid == D("21")
    first, surplus = r.stages[0], r.stages[1]
    assert [e.candidate for e in first.elected] == ["A"]
    # Rule 48(3): 3 x 1 / 11 = 0.272727... -> 0.27272 (remainder ignored).
    assert surplus.action == "surplus" and surplus.candidate == "A"
    assert [(f"{t.value_received:f}", f"{t.transfer_value:f}", t.papers) for t in surplus.transfer_values] == [
        ("1.00000", "0.27272", 11)
    ]
    assert votes(surplus) == {"A": "8.00000", "B": "5.18176", "C": "4.54544", "D": "3.00000"}
    # The one paper with no next preference is non-transferable at the same value...
    assert surplus.non_transferable_papers == D("0.27272")
    # ...and what truncation leaves of the surplus of 3 is reported on its own; the official
    # non-transferable figure is both together.
    assert surplus.loss_stage == D("0.00008")
    assert surplus.non_transferable_stage == surplus.non_transferable == D("0.27280")
    # Rule 50: D (3) is excluded. C is next lowest, and excluding C leaves B alone for the last
    # seat: rule 52 elects B and C's papers are not transferred (52(2)), so no further stage.
    assert [s.candidate for s in r.stages[2:]] == ["D"]
    last = r.stages[-1]
    assert [e.candidate for e in last.excluded] == ["D", "C"]
    assert "not transferred (rule 52(2))" in last.excluded[1].reason
    assert [e.candidate for e in last.elected] == ["B"] and "rule 52" in last.elected[0].reason
    assert r.elected == ("A", "B")


def test_excluded_papers_move_at_the_value_they_were_received() -> None:
    # quota = floor(26 / 3) + 1 = 9. A's surplus of 2 goes at 2/11 -> 0.18181. When C is
    # excluded its two papers A>C>E, received at 0.18181, reach E at 0.18181 each (rule 50(4));
    # C's own four first preferences have no next preference: non-transferable at value 1.
    p = make("ABCDE", [(8, "AB"), (2, "ACE"), (1, "A"), (3, "B"), (4, "C"), (3, "D"), (5, "E")])
    r = count_scottish(p, seats=2)
    assert [(s.action, s.candidate) for s in r.stages] == [
        ("first preferences", None),
        ("surplus", "A"),
        ("exclusion", "D"),
        ("exclusion", "C"),
    ]
    c_out = r.stages[3]
    assert votes(r.stages[1])["C"] == "4.36362"
    assert c_out.changes["E"] == D("0.36362") and c_out.votes["C"] == 0
    assert c_out.non_transferable_stage == D(4)
    assert r.elected == ("A", "E")


def test_transfer_value_uses_value_when_received() -> None:
    # 19 papers, 3 seats: quota = floor(19 / 4) + 1 = 5. D keeps two candidates continuing
    # for the last seat, so rule 52 does not cut the count short before B's surplus.
    p = make("ABCD", [(12, "ABC"), (4, "BC"), (2, "C"), (1, "D")])
    r = count_scottish(p, seats=3)
    assert r.quota == D(5)
    s2, s3 = r.stages[1], r.stages[2]
    # A: surplus 7 of 12 -> 0.58333; B gets 12 x 0.58333 = 6.99996 and reaches the quota.
    assert votes(s2)["B"] == "10.99996"
    assert s2.loss_stage == D("0.00004")
    assert [e.candidate for e in s2.elected] == ["B"]
    # B's surplus 5.99996 of 10.99996: first preferences (value 1) go on at 0.54545, papers
    # received at 0.58333 at floor(5.99996 x 0.58333 / 10.99996) = 0.31817.
    tvs = {f"{t.value_received:f}": f"{t.transfer_value:f}" for t in s3.transfer_values}
    assert tvs == {"1.00000": "0.54545", "0.58333": "0.31817"}
    assert votes(s3)["C"] == "7.99984"
    assert s3.loss == D("0.00016")
    assert r.elected == ("A", "B", "C")


def test_one_surplus_per_stage_largest_first() -> None:
    # quota = floor(30 / 4) + 1 = 8; A (12) and B (10) both exceed it at the first stage.
    p = make("ABCD", [(10, "BC"), (12, "AD"), (4, "C"), (4, "D")])
    r = count_scottish(p, seats=3)
    assert [s.action for s in r.stages[:3]] == ["first preferences", "surplus", "surplus"]
    assert [s.candidate for s in r.stages[1:3]] == ["A", "B"]
    assert [e.candidate for e in r.stages[0].elected] == ["A", "B"]


def test_exclusion_tie_broken_by_most_recent_preceding_stage() -> None:
    # quota = floor(23 / 3) + 1 = 8. Stage 1: A 10, X 3, Y 4, Z 6. A's surplus of 2 goes at
    # 0.2, so X gains exactly 1 and ties Y at 4; at stage 1 X had fewer, so X is excluded (rule 51).
    p = make("AXYZ", [(5, "AX"), (5, "A"), (3, "XY"), (4, "Y"), (6, "Z")])
    r = count_scottish(p, seats=2)
    s2, s3 = r.stages[1], r.stages[2]
    assert votes(s2)["X"] == votes(s2)["Y"] == "4.00000"
    assert s3.action == "exclusion" and s3.candidate == "X"
    (tie,) = s3.ties
    assert tie.purpose == "exclusion" and tie.chosen == "X" and tie.method == "stage 1"
    assert tie.seed is None


def test_tie_equal_at_every_stage_is_decided_by_lot_with_the_seed() -> None:
    p = make("ABC", [(3, "A"), (3, "B"), (6, "C")])
    outcomes = set()
    for seed in range(12):
        r = count_scottish(p, seats=1, seed=seed)
        tie = r.stages[1].ties[0]
        assert tie.method == "lot" and tie.seed == seed and set(tie.candidates) == {"A", "B"}
        again = count_scottish(p, seats=1, seed=seed)
        assert again.stages[1].ties[0].chosen == tie.chosen
        outcomes.add(tie.chosen)
    assert outcomes == {"A", "B"}


def test_equal_surpluses_ordered_by_rule_49() -> None:
    p = make("ABCD", [(10, "AC"), (10, "BD"), (2, "C"), (3, "D")])
    r = count_scottish(p, seats=3)
    tie = r.stages[1].ties[0]
    assert tie.purpose == "surplus order" and tie.method == "lot"


def test_rule_52_fills_last_vacancies_without_further_transfer() -> None:
    # quota = floor(19 / 4) + 1 = 5. A is elected with a surplus of 7; B, C continue for the
    # two remaining seats: rule 52 elects them at once and A's surplus is never transferred.
    p = make("ABC", [(12, "AB"), (4, "B"), (3, "C")])
    r = count_scottish(p, seats=3)
    assert len(r.stages) == 1
    assert r.elected == ("A", "B", "C")
    assert [e.reason for e in r.stages[0].elected][1:] == ["continuing candidates equal the vacancies (rule 52)"] * 2


def test_candidate_at_quota_receives_no_more_papers() -> None:
    # quota = floor(25 / 4) + 1 = 7. A's surplus puts B over the quota at stage 2; when D is
    # later excluded, papers D>B>C skip B (deemed elected, not continuing) and go to C.
    p = make("ABCDE", [(9, "AB"), (6, "B"), (4, "C"), (2, "DBC"), (4, "E")])
    r = count_scottish(p, seats=3)
    by_action = {(s.action, s.candidate): s for s in r.stages}
    b_after = by_action[("surplus", "A")].votes["B"]
    assert b_after >= r.quota
    excl = by_action[("exclusion", "D")]
    assert excl.changes["B"] == 0 and excl.changes["C"] == D(2)


def test_conservation_exact_at_every_stage() -> None:
    p = make("ABCDE", [(9, "ABE"), (6, "BA"), (4, "CDB"), (2, "DBC"), (4, "E"), (7, "EDC")])
    r = count_scottish(p, seats=3)
    for s in r.stages:
        assert sum(s.votes.values()) + s.non_transferable == r.valid
        assert s.non_transferable == s.non_transferable_papers + s.loss


def test_withdrawn_candidate_is_skipped() -> None:
    from bot.engines.counting.profile import build_profile

    p = build_profile(["A", "B", "C"], [[1, 0], [1, 2], [2]], [3, 2, 4], withdrawn=[1])
    r = count_scottish(p, seats=1)
    assert "B" not in r.stages[0].votes
    assert r.stages[0].votes == {"A": D(3), "C": D(6)}
