"""DRS base URL and paths: every operation is a POST to its own name, tags live under /tags/."""

from .responses import DrsResponse

url_bases = [r"https?://drs\.(.+)\.amazonaws\.com"]

url_paths = {
    "{0}/tags/(?P<resourceArn>.+)$": DrsResponse.dispatch,
    "{0}/(?P<operation>[A-Za-z]+)$": DrsResponse.dispatch,
    "{0}/?$": DrsResponse.dispatch,
    # any other path (and "/" in server mode) answers as DRS does, never with Flask's HTML 404
    "{0}/$": DrsResponse.dispatch,
    "{0}/.*$": DrsResponse.dispatch,
}
