"""The numpy counting of the facet statement's ids (publications/facet_counts.py), against the
plain definitions of the GROUP BY path. Pure functions: these run on every database."""

import random
from collections import Counter

import pytest

from publications.facet_counts import count_theme_sets, rank_credits


def test_credits_are_ranked_as_the_group_by_ranks_them():
    # rank_credits against the plain definition (count descending, then id; selected people
    # first; hidden people never among the others), on the ids as PostgreSQL joins them.
    def reference(arrays, hidden, selected, limit):
        counts = Counter(pk for ids in arrays for pk in ids)
        chosen = sorted((pk for pk in counts if pk in selected), key=lambda pk: (-counts[pk], pk))
        others = sorted((pk for pk in counts if pk not in selected and pk not in hidden), key=lambda pk: (-counts[pk], pk))
        return [(pk, counts[pk]) for pk in chosen + others[:limit]]

    def rank(arrays, hidden, selected, limit):
        ids = [pk for item in arrays for pk in item]
        return rank_credits(",".join(map(str, ids)) or None, len(ids), hidden, selected, limit)

    # Ties at the cut are decided by id (2, 9, 10 as numbers, not as text), a hidden person
    # with the most credits is skipped, an empty array counts nobody.
    arrays = [[9, 10, 11], [9, 10, 11], [3], [3], [3], [], [12, 2], [100, 2]]
    assert rank(arrays, "3", [], 3) == [(2, 2), (9, 2), (10, 2)]
    assert rank(arrays, "3", [11], 2) == [(11, 2), (2, 2), (9, 2)]
    assert rank(arrays, None, [100, 7], 1) == [(100, 1), (3, 3)]
    assert rank(arrays, "3,9,10,11", [], 3) == [(2, 2), (12, 1), (100, 1)]
    assert rank(arrays, "", [], 0) == []
    assert rank_credits(None, 0, "3", [3], 15) == []  # nothing matched
    # A text that is not numbers and commas only, or a short one, is an error, never a
    # silently short count.
    with pytest.raises(ValueError, match="could not be read to its end"):
        rank_credits("1,,2", 3, None, [], 15)
    with pytest.raises(ValueError, match="Read 2 of 3 contributor ids"):
        rank_credits("1,2", 3, None, [], 15)
    generator = random.Random(6)
    for _ in range(300):
        arrays = [generator.sample(range(1, 40), generator.randint(0, 4)) for _ in range(generator.randint(0, 60))]
        hidden = set(generator.sample(range(1, 40), generator.randint(0, 8)))
        selected = generator.sample(range(1, 40), generator.randint(0, 3))
        limit = generator.randint(0, 12)
        hidden_text = ",".join(map(str, sorted(hidden))) or None
        assert rank(arrays, hidden_text, selected, limit) == reference(arrays, hidden, set(selected), limit)


def test_theme_sets_are_counted_per_theme_and_once_per_parent():
    # Items (by theme set): {2, 3} sits under parent 1 twice but counts once for it; {} counts
    # nowhere; {5} is under parent 4; {7} has no parent; parent 9 has no item and is left out.
    sets = [[2, 3], [], [5], [1, 2], [7], [3]]
    ids = [pk for item in sets for pk in item]
    direct, rolled = count_theme_sets(
        ",".join(map(str, ids)), len(ids), ",".join(str(len(item)) for item in sets), len(sets),
        {1: [1, 2, 3], 4: [4, 5], 9: [9, 10]},
    )
    assert direct == {1: 1, 2: 2, 3: 2, 5: 1, 7: 1}
    assert rolled == {1: 3, 4: 1}
    # Three levels (a sub-theme with sub-themes of its own, which the admin refuses): a theme
    # in two groups counts for both.
    assert count_theme_sets(
        ",".join(map(str, ids)), len(ids), ",".join(str(len(item)) for item in sets), len(sets),
        {1: [1, 2, 3], 3: [3, 7], 4: [4, 5]},
    )[1] == {1: 3, 3: 3, 4: 1}
    assert count_theme_sets(None, 0, None, 0, {1: [1, 2]}) == ({}, {})  # nothing matched
    assert count_theme_sets(None, 0, "0,0", 2, {1: [1, 2]}) == ({}, {})  # two items with no theme
    with pytest.raises(ValueError, match="3 theme ids for theme sets of 2 in all"):
        count_theme_sets("1,2,3", 3, "1,1", 2, {})
    # Random catalogues against the plain definition, with one-level groups (the table) and
    # overlapping ones (one by one).
    generator = random.Random(7)
    for case in range(400):
        sets = [generator.sample(range(1, 25), generator.randint(0, 4)) for _ in range(generator.randint(0, 50))]
        themes = generator.sample(range(1, 30), 12)
        groups, taken = {}, 0
        for parent in generator.sample(themes, generator.randint(0, 4)):
            size = generator.randint(0, 3)
            kids = themes[taken : taken + size] if case % 2 else generator.sample(themes, size)
            taken += size
            groups[parent] = [parent, *(kid for kid in kids if kid != parent)]
        ids = [pk for item in sets for pk in item]
        direct, rolled = count_theme_sets(
            ",".join(map(str, ids)) or None, len(ids), ",".join(str(len(item)) for item in sets) or None, len(sets),
            groups,
        )
        assert direct == Counter(ids)
        expected = {parent: sum(1 for item in sets if set(item) & set(group)) for parent, group in groups.items()}
        assert rolled == {parent: n for parent, n in expected.items() if n}
