"""A run's random streams passed to kernels by address, which costs almost nothing per call.

A ``numpy.random.Generator`` argument costs a kernel call about 5 us: numba unboxes it by
reading the bit generator's ``ctypes`` interface and casting three function pointers through
Python's ``ctypes`` on every call. The addresses never change while the generator lives, so
:func:`stream_handle` reads them once into a small array, and a kernel rebuilds the generator
from it with :func:`generator_from` (about 0.5 us per call). The rebuilt generator shares the
Python object's state — the same bit generator at the same address — so it draws exactly the
numbers the Python object would, and the Python object sees the draws.

The handle is valid only while its generator lives: the caller keeps the generator (as
:class:`~sales_abm.market.Market` does, next to the handle).
"""

from __future__ import annotations

import ctypes

import numpy as np
from numba import config, types
from numba.core import cgutils
from numba.core.extending import intrinsic, overload

_GENERATOR = types.NumPyRandomGeneratorType("generator")
_BIT_GENERATOR = types.NumPyRandomBitGeneratorType("bit_generator")
#: the bit generator's fields in numba's data model, in the handle's order
_FIELDS = ("state_address", "state", "fnptr_next_uint64", "fnptr_next_uint32",
           "fnptr_next_double", "bit_generator")


def stream_handle(rng: np.random.Generator) -> np.ndarray:
    """The addresses a kernel needs to draw from ``rng`` (see :func:`generator_from`).

    With ``NUMBA_DISABLE_JIT=1`` (kernels run as plain Python) the generator itself.
    """
    if config.DISABLE_JIT:
        return rng  # type: ignore[return-value]
    interface = rng.bit_generator.ctypes

    def address(function: object) -> int:
        return ctypes.cast(function, ctypes.c_void_p).value or 0

    return np.array([interface.state_address, interface.state.value,
                     address(interface.next_uint64), address(interface.next_uint32),
                     address(interface.next_double), interface.bit_generator.value],
                    dtype=np.uint64)


def generator_from(handle):  # pragma: no cover - compiled
    """Inside a kernel: the ``numpy.random.Generator`` whose :func:`stream_handle` is ``handle``
    (in plain Python, the handle is the generator)."""
    return handle


@overload(generator_from)
def _generator_from(handle):  # pragma: no cover - compiled
    if isinstance(handle, types.NumPyRandomGeneratorType):
        return lambda handle: handle
    return lambda handle: _generator_at(handle)


@intrinsic
def _generator_at(typingctx, handle):  # pragma: no cover - compiled
    """The generator at the addresses of ``handle``, built with no Python object and no
    reference count (numba's reference counting skips a null pointer), so it must not be
    returned to Python."""
    signature = _GENERATOR(handle)

    def codegen(context, builder, sig, args):
        addresses = context.make_array(sig.args[0])(context, builder, args[0])
        bit_generator = cgutils.create_struct_proxy(_BIT_GENERATOR)(context, builder)
        bit_generator.parent = cgutils.get_null_value(bit_generator.parent.type)
        for i, field in enumerate(_FIELDS):
            value = builder.load(cgutils.gep_inbounds(builder, addresses.data, i))
            setattr(bit_generator, field, value)
        generator = cgutils.create_struct_proxy(_GENERATOR)(context, builder)
        generator.bit_generator = bit_generator._getvalue()
        generator.meminfo = cgutils.get_null_value(generator.meminfo.type)
        generator.parent = cgutils.get_null_value(generator.parent.type)
        return generator._getvalue()

    return signature, codegen


class StreamHandles:
    """The handles of the generators a caller passes to kernels, each read once.

    Keeps every generator it made a handle of (so the handle stays valid), at most
    ``capacity`` of them: a caller passes the same few streams week after week. A copy or a
    pickle starts empty: a copied generator lives at other addresses.
    """

    def __reduce__(self) -> tuple[type, tuple[int]]:
        return type(self), (self._capacity,)

    def __init__(self, capacity: int = 8) -> None:
        self._known: dict[int, tuple[np.random.Generator, np.ndarray]] = {}
        self._capacity = capacity

    def __call__(self, rng: np.random.Generator) -> np.ndarray:
        """The handle of ``rng`` (see :func:`stream_handle`)."""
        known = self._known.get(id(rng))
        if known is None or known[0] is not rng:
            if len(self._known) >= self._capacity:
                self._known.clear()
            known = (rng, stream_handle(rng))
            self._known[id(rng)] = known
        return known[1]
