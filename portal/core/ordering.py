"""Hand-ordered lists (text modules, ticket reasons): moving one entry a place up or down."""


def swap_with_neighbour(siblings: list, item, step: int) -> tuple[int, int] | None:
    """Number the list 1..n and swap `item` with its neighbour (step -1 = up, +1 = down).

    Returns the item's old and new place, or None when it is already at that end of the list.
    """
    index = siblings.index(item)
    target = index + step
    if not 0 <= target < len(siblings):
        return None
    for position, entry in enumerate(siblings, start=1):
        entry.position = position
    siblings[index].position, siblings[target].position = siblings[target].position, siblings[index].position
    return index + 1, target + 1
