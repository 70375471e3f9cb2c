"""Word of mouth over the industry network, and the Watts–Strogatz rewiring replayed on
Python's random stream."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def neighbour_hits(graph, rows, scratch):  # pragma: no cover - compiled
    """The distinct neighbours of ``rows`` and how many of the rows each neighbours.

    ``graph`` is a :class:`~.bundles.Csr`; ``scratch`` is an int array of one zero per node; it is
    left all zero again.
    """
    indptr, indices = graph.indptr, graph.indices
    reach = 0
    for row in rows:
        reach += indptr[row + 1] - indptr[row]
    touched = np.empty(reach, dtype=np.int64)
    k = 0
    for row in rows:
        for j in range(indptr[row], indptr[row + 1]):
            node = indices[j]
            if scratch[node] == 0:
                touched[k] = node
                k += 1
            scratch[node] += 1
    hits = np.empty(k, dtype=np.int64)
    for i in range(k):
        hits[i] = scratch[touched[i]]
        scratch[touched[i]] = 0
    return touched[:k], hits


@njit(cache=True, nogil=True)
def rewire_ring(words, rewiring, n, half, shift):  # pragma: no cover - compiled
    """networkx's Watts–Strogatz rewiring of the ring lattice, replayed on Python's random stream.

    ``words`` are the stream's 32-bit words (:func:`python_uniform` makes ``random.random()`` of
    two of them) and ``rewiring`` the rewiring probability. The ring's ``half * n`` edges are walked
    in networkx's order; each draws one uniform, and an edge whose uniform is below the
    probability moves its far end to ``random.choice`` of the nodes (words until one is below
    ``n``), redrawn while that would make a self-loop or a double edge. Returns the keys
    ``a * n + b`` (``a < b``) of the ring edges removed and of the edges added, sorted, and
    whether ``words`` sufficed (if not, call again with more).
    """
    size = words.size
    removed = {np.int64(0)}
    added = {np.int64(0)}
    removed.clear()
    added.clear()
    empty = np.empty(0, dtype=np.int64)
    total = half * n
    e = 0
    pos = 0
    while True:
        h = pos
        while h + 1 < size and not python_uniform(words, h) < rewiring:
            h += 2
        if h + 1 >= size:  # no rewired edge left in the buffer
            if pos + 2 * (total - e) <= size:
                break  # the remaining edges' uniforms are all here, and none is below
            return empty, empty, False
        e += (h - pos) // 2  # each edge not rewired uses two words
        if e >= total:
            break
        pos = h + 2
        u = e % n
        v = (u + e // n + 1) % n
        e += 1
        w, pos = _choice(words, pos, n, shift)
        if w < 0:
            return empty, empty, False
        moved = True
        while w == u or _has_edge(u, w, n, half, removed, added):
            w, pos = _choice(words, pos, n, shift)
            if w < 0:
                return empty, empty, False
            if _degree(u, n, half, removed, added) >= n - 1:
                moved = False  # u is linked to everyone: networkx skips this rewiring
                break
        if moved:
            removed.add(min(u, v) * n + max(u, v))  # a ring edge still in place
            key = min(u, w) * n + max(u, w)
            if key in removed:
                removed.discard(key)  # a ring edge moved earlier comes back
            else:
                added.add(key)
    return np.sort(_array(removed)), np.sort(_array(added)), True


@njit(cache=True, nogil=True)
def python_uniform(words, k):  # pragma: no cover - compiled
    """``random.random()`` of Python's Mersenne Twister from its words ``k`` and ``k + 1``:
    ``((a >> 5) * 2**26 + (b >> 6)) / 2**53``."""
    a = np.float64(words[k] >> np.uint64(5))
    b = np.float64(words[k + 1] >> np.uint64(6))
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def _choice(words, pos, n, shift):  # pragma: no cover - compiled
    """``random.choice(range(n))``: words shifted to ``bits`` until one is below ``n``.

    Returns the node and the next position (node -1 if the words ran out).
    """
    while pos < words.size:
        r = np.int64(words[pos] >> np.uint64(shift))
        pos += 1
        if r < n:
            return r, pos
    return np.int64(-1), pos


@njit(cache=True, nogil=True)
def _has_edge(a, b, n, half, removed, added):  # pragma: no cover - compiled
    if a > b:
        a, b = b, a
    key = a * n + b
    if (b - a <= half or n - (b - a) <= half) and key not in removed:
        return True
    return key in added


@njit(cache=True, nogil=True)
def _degree(a, n, half, removed, added):  # pragma: no cover - compiled
    """A node's degree (needed only on a redraw, which is rare: counted, not tracked)."""
    ring = 0
    for d in range(1, half + 1):
        ring += _has_edge(a, (a + d) % n, n, half, removed, added)
        ring += _has_edge(a, (a - d) % n, n, half, removed, added)
    for key in added:  # added edges are never ring ones
        ring += (key // n == a) + (key % n == a)
    return ring


@njit(cache=True, nogil=True)
def _array(keys):  # pragma: no cover - compiled
    out = np.empty(len(keys), dtype=np.int64)
    for i, key in enumerate(keys):
        out[i] = key
    return out


@njit(cache=True, nogil=True)
def ring_edges(n, half, removed, added):  # pragma: no cover - compiled
    """The rewired ring's edges ``(u, v)``, ``u < v``: the ring lattice's, ring distance 1 first
    and each distance by node, less the ``removed`` keys, then the ``added`` ones (keys
    ``u * n + v``, both sorted, from :func:`rewire_ring`). The order is the edge list's order.

    The removed ring edges are marked by their place in that order (distance ``j``, node: the
    edge from ``node`` to ``node + j``), so the walk reads a flag where a search per edge was.
    """
    gone = np.zeros(half * n, dtype=np.bool_)
    for key in removed:
        a, b = key // n, key % n  # a < b: the edge a -> b, or b -> a across the ring's end
        distance = b - a
        gone[(distance - 1) * n + a if distance <= half else (n - distance - 1) * n + b] = True
    u = np.empty(half * n - removed.size + added.size, dtype=np.int64)
    v = np.empty_like(u)
    k = 0
    for j in range(1, half + 1):
        for node in range(n):
            if gone[(j - 1) * n + node]:
                continue
            other = (node + j) % n
            u[k], v[k] = min(node, other), max(node, other)
            k += 1
    for key in added:
        u[k], v[k] = key // n, key % n
        k += 1
    return u, v


@njit(cache=True, nogil=True)
def csr(n, u, v):  # pragma: no cover - compiled
    """CSR arrays ``(indptr, indices)`` of the undirected graph with edges ``(u[i], v[i])``:
    each node's neighbours in the order its edges appear in ``u`` (as the first end) then ``v``
    (as the second), a stable counting sort."""
    indptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(u.size):
        indptr[u[i] + 1] += 1
        indptr[v[i] + 1] += 1
    for node in range(n):
        indptr[node + 1] += indptr[node]
    fill = indptr[:-1].copy()
    indices = np.empty(2 * u.size, dtype=np.int64)
    for i in range(u.size):
        indices[fill[u[i]]] = v[i]
        fill[u[i]] += 1
    for i in range(v.size):
        indices[fill[v[i]]] = u[i]
        fill[v[i]] += 1
    return indptr, indices


@njit(cache=True, nogil=True)
def learn_from_neighbours(propensity, touched, hits, step, good):  # pragma: no cover - compiled
    """Word of mouth as social learning: each neighbour takes one Bush–Mosteller step of size
    ``step`` per experience it heard of, toward 1 (``good``) or toward 0."""
    for i in range(touched.size):
        node = touched[i]
        keep = (1.0 - step) ** hits[i]
        if good:
            propensity[node] = 1.0 - (1.0 - propensity[node]) * keep
        else:
            propensity[node] = propensity[node] * keep
