#!/usr/bin/python3
"""Probe a vrft server with a gRPC client we did not write: Debian's python3-grpcio.

Lists the services through server reflection (grpc.reflection.v1) and calls
grpc.health.v1.Health/Check. The two protocol messages are small enough to
encode and decode by hand, so nothing but python3-grpcio is needed.

    apt-get install python3-grpcio
    /usr/bin/python3 scripts/grpc-probe.py 127.0.0.1:50051
"""
import sys

import grpc

HEALTH_STATUS = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}


def read_varint(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def fields(data):
    """Yields (field number, wire type, value) of a protobuf message."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 2:
            size, pos = read_varint(data, pos)
            value, pos = data[pos : pos + size], pos + size
        else:
            raise ValueError(f"unexpected wire type {wire}")
        yield number, wire, value


def list_services(channel):
    call = channel.stream_stream("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")
    request = b"\x3a\x01*"  # ServerReflectionRequest{list_services (7): "*"}
    names = []
    for response in call(iter([request]), timeout=5):
        for number, _, value in fields(response):
            if number == 6:  # list_services_response
                for inner_number, _, service in fields(value):
                    if inner_number == 1:  # ServiceResponse
                        names += [v.decode() for n, _, v in fields(service) if n == 1]
    return sorted(names)


def check_health(channel, service=""):
    call = channel.unary_unary("/grpc.health.v1.Health/Check")
    encoded = service.encode()
    request = b"\x0a" + bytes([len(encoded)]) + encoded if encoded else b""
    status = 0
    for number, _, value in fields(call(request, timeout=5)):
        if number == 1:
            status = value
    return HEALTH_STATUS.get(status, str(status))


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 64
    with grpc.insecure_channel(sys.argv[1]) as channel:
        services = list_services(channel)
        for name in services:
            print(f"service {name}")
        print(f"health {check_health(channel)}")
        for name in services:
            if name.startswith("vrft."):
                print(f"health {name} {check_health(channel, name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
