"""Mistake (classify_arrivals): every copy is checked for reordering, not only the first, so a
late duplicate is also counted as reordered."""


def classify_arrivals(count, arrivals):
    seen, duplicated, reordered = set(), set(), set()
    highest = -1
    for number in arrivals:
        if number in seen:
            duplicated.add(number)
        seen.add(number)
        if number < highest:
            reordered.add(number)
        highest = max(highest, number)
    return {"lost": [n for n in range(count) if n not in seen],
            "duplicated": sorted(duplicated), "reordered": sorted(reordered)}
