"""Mistake (classify_arrivals): the lists are in arrival order, not sorted as asked."""


def classify_arrivals(count, arrivals):
    seen, duplicated, reordered = [], [], []
    highest = -1
    for number in arrivals:
        if number in seen:
            if number not in duplicated:
                duplicated.append(number)
            continue
        seen.append(number)
        if number < highest:
            reordered.append(number)
        highest = max(highest, number)
    return {"lost": [n for n in range(count) if n not in seen],
            "duplicated": duplicated, "reordered": reordered}
