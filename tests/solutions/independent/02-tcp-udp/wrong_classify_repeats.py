"""Mistake (classify_arrivals): "duplicated" gets one entry per extra copy, so a datagram that
came three times is listed twice (each datagram must be named once)."""


def classify_arrivals(count, arrivals):
    seen, duplicated, reordered = set(), [], []
    highest = -1
    for number in arrivals:
        if number in seen:
            duplicated.append(number)
            continue
        seen.add(number)
        if number < highest:
            reordered.append(number)
        highest = max(highest, number)
    return {"lost": [n for n in range(count) if n not in seen],
            "duplicated": sorted(duplicated), "reordered": sorted(reordered)}
