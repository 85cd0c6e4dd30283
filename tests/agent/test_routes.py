"""Route resolution and prompt lines (spec section 5.1; routes.ts)."""

from __future__ import annotations

import pytest

from navai.agent import Route, resolve_route, route_prompt_lines
from navai.agent._routes import coerce_routes

ROUTES = (
    Route("perfil", "/profile", "User profile", synonyms=("mi cuenta", "account")),
    Route("ajustes", "/settings", "Settings", synonyms=("configuración",)),
    Route("inicio", "/", "Home"),
    Route("Café Menú", "/menu", "Menu"),
)


# §5.1: normalise = NFD, strip U+0300-U+036F, trim, lower; 1) path 2) name/synonym 3) contains.
@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/profile", "/profile"),  # 1) exact path
        ("  /PROFILE ", "/profile"),  # path, trimmed and lower-cased
        ("perfil", "/profile"),  # 2) name
        ("PERFIL", "/profile"),
        ("account", "/profile"),  # 2) synonym
        ("Mi Cuenta", "/profile"),
        ("configuracion", "/settings"),  # accents stripped from the synonym
        ("Configuración", "/settings"),
        ("cafe menu", "/menu"),  # accents stripped from the name
        ("CAFÉ MENÚ", "/menu"),
        ("/", "/"),
        ("abre mi perfil por favor", "/profile"),  # 3) contains a name
        ("go to my account now", "/profile"),  # 3) contains a synonym
        ("ve a los ajustes", "/settings"),
        ("\u00a0inicio\u3000", "/"),  # JS trim covers NBSP and ideographic space
        ("/unknown", None),
        ("carrito", None),
        ("", None),
    ],
)
def test_resolve_route(target: str, expected: str | None) -> None:
    assert resolve_route(target, ROUTES) == expected


def test_path_match_wins_over_an_earlier_name_match() -> None:
    # §5.1 step 1 runs over every route before step 2.
    routes = (Route("/b", "/a", ""), Route("b", "/b", ""))
    assert resolve_route("/b", routes) == "/b"


def test_name_or_synonym_match_wins_over_an_earlier_substring_match() -> None:
    routes = (Route("pro", "/pro", ""), Route("x", "/profile", "", synonyms=("profile",)))
    assert resolve_route("profile", routes) == "/profile"
    assert resolve_route("my profile", routes) == "/pro"  # step 3 in route order


def test_no_routes() -> None:
    assert resolve_route("perfil", ()) is None


def test_prompt_lines() -> None:
    # §4: "- <name> (<path>)[, aliases: a, b]"
    assert route_prompt_lines(ROUTES) == [
        "- perfil (/profile), aliases: mi cuenta, account",
        "- ajustes (/settings), aliases: configuración",
        "- inicio (/)",
        "- Café Menú (/menu)",
    ]


def test_route_is_frozen_and_takes_mappings() -> None:
    route = Route("a", "/a", "A", synonyms=["x", "y"])
    assert route.synonyms == ("x", "y")
    with pytest.raises(AttributeError):
        route.name = "b"  # type: ignore[misc]
    assert coerce_routes([{"name": "a", "path": "/a", "synonyms": ["x"]}]) == (Route("a", "/a", "", ("x",)),)
    with pytest.raises(TypeError):
        coerce_routes(["a"])  # type: ignore[list-item]


def test_routes_default_to_none() -> None:
    # resolveNavaiRoute(target) and getNavaiRoutePromptLines() default routes to [] (mobile
    # goldens route_097, prompt_lines_5); a target that is not a string raises, as in JS.
    assert resolve_route("perfil") is None
    assert route_prompt_lines() == []
    with pytest.raises(TypeError):
        resolve_route(42, ROUTES)  # type: ignore[arg-type]
