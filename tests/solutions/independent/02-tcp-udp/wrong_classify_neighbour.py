"""Mistake (classify_arrivals): a datagram counted as reordered only if it is smaller than the
one that arrived just before it, not than every datagram that arrived before it."""


def classify_arrivals(count, arrivals):
    seen, duplicated, reordered = set(), set(), set()
    previous = -1
    for number in arrivals:
        if number in seen:
            duplicated.add(number)
        else:
            seen.add(number)
            if number < previous:
                reordered.add(number)
        previous = number
    return {"lost": [n for n in range(count) if n not in seen],
            "duplicated": sorted(duplicated), "reordered": sorted(reordered)}
