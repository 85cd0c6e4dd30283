async def asyncVal() -> int:
    return 1


def zeta() -> str:
    return "zeta 2"
