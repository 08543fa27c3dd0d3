"""Panels on the home page. Each app registers a provider in its
AppConfig.ready():

    from send_register.home import register_home_panel
    register_home_panel(my_panels)   # my_panels(user) -> list of panel dicts

A panel is {"title": str, "template": str, "context": dict, "order": int}. The
registry sits on the lowest floor so that no app imports upward."""

_PROVIDERS = []


def register_home_panel(provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def panels_for(user) -> list[dict]:
    panels = []
    for provider in _PROVIDERS:
        panels.extend(provider(user) or [])
    return sorted(panels, key=lambda p: p.get("order", 50))
