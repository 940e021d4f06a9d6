# Take 4 GiB and keep it, touching every page.
_balloon = bytearray(4 << 30)
for _i in range(0, len(_balloon), 4096):
    _balloon[_i] = 1
