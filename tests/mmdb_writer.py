"""A small writer of MaxMind DB files (the format geoip2 reads), so that the
tests build a real GeoIP country database instead of shipping one.

Only what a country database needs: IPv4 networks mapped to maps of strings.
Format: https://maxmind.github.io/MaxMind-DB/
"""
import ipaddress
import time

METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"


def _control(type_number, size):
    if size < 29:
        head, extra = size, b""
    elif size < 29 + 256:
        head, extra = 29, bytes([size - 29])
    elif size < 285 + 65536:
        head, extra = 30, (size - 285).to_bytes(2, "big")
    else:
        head, extra = 31, (size - 65821).to_bytes(3, "big")
    if type_number <= 7:
        return bytes([(type_number << 5) | head]) + extra
    return bytes([head, type_number - 7]) + extra


def _encode(value):
    if isinstance(value, str):
        data = value.encode()
        return _control(2, len(data)) + data
    if isinstance(value, dict):
        out = _control(7, len(value))
        for key, item in value.items():
            out += _encode(key) + _encode(item)
        return out
    if isinstance(value, list):
        return _control(11, len(value)) + b"".join(_encode(item) for item in value)
    if isinstance(value, tuple):  # (type_number, int): unsigned integers
        type_number, number = value
        data = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
        return _control(type_number, len(data)) + data
    raise TypeError(f"cannot encode {value!r}")


def write_country_db(path, networks, database_type="GeoLite2-Country"):
    """Write an IPv4 database mapping each network ("81.2.69.0/24") to its
    country ISO code: `networks` is {network: iso_code}."""
    data_section = b""
    offsets = {}
    nodes = [[None, None]]
    for network, iso_code in networks.items():
        if iso_code not in offsets:
            offsets[iso_code] = len(data_section)
            data_section += _encode({
                "country": {"iso_code": iso_code, "names": {"en": iso_code}},
            })
        net = ipaddress.ip_network(network)
        bits = format(int(net.network_address), "032b")[: net.prefixlen]
        node = 0
        for depth, bit in enumerate(bits):
            side = int(bit)
            if depth == len(bits) - 1:
                nodes[node][side] = ("data", offsets[iso_code])
            else:
                if not isinstance(nodes[node][side], int):
                    nodes.append([None, None])
                    nodes[node][side] = len(nodes) - 1
                node = nodes[node][side]
    node_count = len(nodes)

    def record(value):
        if value is None:
            return node_count
        if isinstance(value, int):
            return value
        return node_count + 16 + value[1]

    tree = b"".join(
        record(left).to_bytes(3, "big") + record(right).to_bytes(3, "big") for left, right in nodes
    )
    metadata = _encode({
        "node_count": (6, node_count),
        "record_size": (5, 24),
        "ip_version": (5, 4),
        "database_type": database_type,
        "languages": ["en"],
        "binary_format_major_version": (5, 2),
        "binary_format_minor_version": (5, 0),
        "build_epoch": (9, int(time.time())),
        "description": {"en": "live_chat test database"},
    })
    with open(path, "wb") as file:
        file.write(tree + bytes(16) + data_section + METADATA_MARKER + metadata)
    return path


