"""Small changes to moto core that DRS needs, applied to the installed moto at registration.

Each change is two files: ``NNNN-name.diff``, the moto core commit itself (a unified diff
against moto 5.2.5's tree with its tests under moto's ``tests/``; ``scripts/upstream.py``
applies it as one commit), and a module that applies the same change to the installed moto
(``apply()``), with a docstring saying what moto does today and what it should do. Tests:
``tests/test_core_patches.py`` and ``tests/test_ec2_core_patches.py``, on plain moto services as well as DRS. The first three only turn a
crash into an answer; 0030 and 0031 (``live_models``, ``terminated_instances``) change what moto
keeps in memory. 0030 is not applied here: it makes a look-up of a model class's instances scan
the heap (S3's reset does two), a cost a test process should not pay for a leak only a
long-running server has; ``moto_drs_server`` applies it (``server.py``). See docs/upstream.md.
0010 and 0011 (``ec2_tag_lookup``, ``ec2_instance_lookup``) make EC2 look-ups faster, with the same
answers. 0032 (``deleted_resource_tags``) drops a deleted volume's, snapshot's or interface's tags.
0040 (``direct_environ``) builds an in-process request's WSGI environ without werkzeug's test
builder, with the same result; 0041 (``request_lookups``) makes three per-request look-ups of
``setup_class`` cheaper (header iteration, the Date header, the access key); 0042 (``root_url``)
joins a request's root URL directly when werkzeug's IRI round trip would change nothing;
0043 (``header_names``) iterates a request's headers in one pass, names remembered.
"""

import threading

from . import (
    deleted_resource_tags,
    direct_environ,
    ec2_instance_lookup,
    ec2_tag_lookup,
    error_headers,
    header_names,
    json_auth_errors,
    malformed_gzip,
    model_validation,
    module_names,
    non_utf8_body,
    request_body,
    request_lookups,
    request_protocol,
    root_url,
    url_routing,
)

_lock = threading.Lock()
_applied = False


def apply() -> None:
    """Apply every change once; calling it again does nothing."""
    global _applied
    with _lock:
        if _applied:
            return
        request_protocol.apply()
        request_body.apply()
        error_headers.apply()
        json_auth_errors.apply()
        malformed_gzip.apply()
        non_utf8_body.apply()
        model_validation.apply()
        module_names.apply()
        url_routing.apply()
        direct_environ.apply()
        request_lookups.apply()
        root_url.apply()
        header_names.apply()
        ec2_tag_lookup.apply()
        ec2_instance_lookup.apply()
        deleted_resource_tags.apply()
        _applied = True
