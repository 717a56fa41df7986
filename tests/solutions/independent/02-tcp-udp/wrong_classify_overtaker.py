"""Mistake (classify_arrivals): the datagram that jumped ahead is named as reordered (the higher
one, which arrived early) instead of the ones it overtook."""


def classify_arrivals(count, arrivals):
    seen, duplicated, reordered = set(), set(), set()
    firsts = []
    for number in arrivals:
        if number in seen:
            duplicated.add(number)
            continue
        seen.add(number)
        firsts.append(number)
    for position, number in enumerate(firsts):
        if any(later < number for later in firsts[position + 1:]):
            reordered.add(number)
    return {"lost": [n for n in range(count) if n not in seen],
            "duplicated": sorted(duplicated), "reordered": sorted(reordered)}
