"""Mistake (classify_arrivals): a datagram is called reordered when it does not arrive right after
its predecessor number (number != previous + 1), which also flags every datagram after a loss."""


def classify_arrivals(count, arrivals):
    seen, duplicated, reordered = set(), set(), set()
    previous = -1
    for number in arrivals:
        if number in seen:
            duplicated.add(number)
            continue
        seen.add(number)
        if number != previous + 1:
            reordered.add(number)
        previous = number
    return {"lost": [n for n in range(count) if n not in seen],
            "duplicated": sorted(duplicated), "reordered": sorted(reordered)}
