"""Cache-blocked im2col and col2im: the inner loops of every convolution.

A convolution is a few passes over large arrays: the patches (im2col), the
matmul's output, a relu, the masked gradient, the patch gradients added back
into the input gradient (col2im). Over a whole batch each pass streams tens of
megabytes through main memory, and NumPy cannot fuse passes. Over a slice of a
few samples, what one pass writes is still in cache when the next pass reads
it. So the ops walk the batch in slices of about `SLICE_BYTES` of working set
with one set of small reused buffers per thread (slices run on several
threads, see parallel.py), and the patches are not kept for backward:
gathering them again slice by slice costs less than writing 9x the input to
memory and reading it back. On the MNIST convnet (one thread) this takes the
convolutions and pools from 50 to 40 ms per batch of 128; the second
convolution's forward pass from 10.4 to 6.5 ms.

Patches come in one of two layouts, per group: rows-major (M, K) with M = n * OH
* OW output positions and K = KH * KW * Cg taps, or taps-major (K, M). The copy
out of the strided view is fast when its innermost run is long: Cg channels in
rows-major, OW positions in taps-major (read from a channels-first copy of the
slice). The caller picks the layout (few channels per group: taps-major).
"""

from __future__ import annotations

from baro.backend.arrays import get_array_module
from baro.ops.window import Geometry

# Working set per batch slice, measured on the MNIST convnet (2 cores with 2 MiB
# of L2 each): one thread times 1-4 MiB alike, two threads are fastest at 4 MiB
# (3-8 MiB within 5%; 1 MiB is 30% slower: more, smaller calls, each holding
# the GIL a little), and whole batches are slower still.
SLICE_BYTES = 4 << 20


def batch_slices(n: int, sample_bytes: int) -> list[slice]:
    """Consecutive slices of a batch of `n`, each about `SLICE_BYTES` of work."""
    step = max(1, SLICE_BYTES // max(1, sample_bytes))
    return [slice(start, min(start + step, n)) for start in range(0, n, step)]


def view_as(a, shape):
    """`a` reshaped without a copy; raises instead of copying silently (writes
    through the result must land in `a`)."""
    view = a.view()
    view.shape = shape
    return view


def _padded_shape(shape, geo: Geometry, taps_major: bool):
    """(n, H, W, C) padded by `geo`, channels first when taps-major; None when
    the slice itself will do (rows-major without padding)."""
    n, h, w, c = shape
    (top, bottom), (left, right) = geo.pads
    if not taps_major and not (top or bottom or left or right):
        return None
    hp, wp = h + top + bottom, w + left + right
    return (c, n, hp, wp) if taps_major else (n, hp, wp, c)


def source_buffer(xp, shape, geo: Geometry, taps_major: bool, dtype, fill=0):
    """Buffer for a padded slice of input of `shape` (n, H, W, C), or None when
    the slice itself will do. The border keeps `fill` across slices."""
    padded = _padded_shape(shape, geo, taps_major)
    return None if padded is None else xp.full(padded, fill, dtype=dtype)


def fill_source(x, geo: Geometry, taps_major: bool, buf):
    """Slice `x` (n, H, W, C), padded, as im2col reads it: NHWC, or CNHW when
    taps-major. Copies into `buf` (from `source_buffer`) unless it is None."""
    if buf is None:
        return x
    n, h, w, _ = x.shape
    (top, _), (left, _) = geo.pads
    if taps_major:
        view = buf[:, :n]
        view[:, :, top:top + h, left:left + w] = x.transpose(3, 0, 1, 2)
    else:
        view = buf[:n]
        view[:, top:top + h, left:left + w] = x
    return view


def patches_buffer(xp, n: int, k: int, geo: Geometry, taps_major: bool, dtype,
                   ones: bool):
    """Buffer for the patches of a slice of `n` samples, K = `k` taps per row;
    with `ones`, one more tap of constant 1 (so a bias stored as the kernel
    matrix's last row is added by the matmul itself)."""
    m = n * geo.out_hw[0] * geo.out_hw[1]
    taps = k + 1 if ones else k
    shape = (geo.groups, taps, m) if taps_major else (geo.groups, m, taps)
    buf = xp.empty(shape, dtype=dtype)
    if ones:
        if taps_major:
            buf[:, -1] = 1
        else:
            buf[:, :, -1] = 1
    return buf


def im2col(src, geo: Geometry, taps_major: bool, buf, k: int):
    """Patches of `src` (from `fill_source`) written into `buf` (from
    `patches_buffer`); returns them as (groups, M, K [+ 1]) rows or
    (groups, K [+ 1], M) taps, the ones included when `buf` has them."""
    xp = get_array_module(src)
    g = geo.groups
    (oh, ow), (kh, kw) = geo.out_hw, geo.kernel
    (sh, sw), (dh, dw) = geo.strides, geo.dilation
    if taps_major:
        c, n = src.shape[:2]
        s_c, s_n, s_h, s_w = src.strides
        cg = c // g
        shape = (g, kh, kw, cg, n, oh, ow)
        strides = (s_c * cg, s_h * dh, s_w * dw, s_c, s_n, s_h * sh, s_w * sw)
        cols = buf[:, :, :n * oh * ow]
        taps = cols[:, :k]
    else:
        n, c = src.shape[0], src.shape[3]
        s_n, s_h, s_w, s_c = src.strides
        cg = c // g
        shape = (g, n, oh, ow, kh, kw, cg)
        strides = (s_c * cg, s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c)
        cols = buf[:, :n * oh * ow]
        taps = cols[:, :, :k]
    view = xp.lib.stride_tricks.as_strided(src, shape, strides)
    xp.copyto(view_as(taps, shape), view)
    return cols


def col2im(grad, kmat, geo: Geometry, taps_major: bool, acc, slab) -> None:
    """Writes the patch gradients grad @ kmat^T, added up, into `acc`: the
    adjoint of im2col.

    Args:
        grad: (groups, M, Og) output gradient of a slice.
        kmat: (groups, K, Og) kernel matrix (no bias row).
        geo: The convolution's geometry.
        taps_major: The layout of `acc` and `slab`.
        acc: The slice's padded input gradient (from `slice_grad`; overwritten):
            (n, Hp, Wp, groups, Cg) rows-major or (groups, Cg, n, Hp, Wp)
            taps-major.
        slab: Scratch: (groups, M, Cg) rows-major, (groups, K, M) taps-major.
    """
    xp = get_array_module(grad)
    g = geo.groups
    (oh, ow), (kh, kw) = geo.out_hw, geo.kernel
    lead = (Ellipsis,) if taps_major else (slice(None),)
    if geo.strides == (1, 1):
        # The first tap covers all but the last rows and columns: zero those
        # and copy that tap instead of adding it to zeros.
        rows, cols = (-2, -1) if taps_major else (1, 2)
        _strip(acc, rows, slice(oh, None)).fill(0)
        _strip(_strip(acc, rows, slice(0, oh)), cols, slice(ow, None)).fill(0)
        first = xp.copyto
    else:
        acc.fill(0)
        first = _add_into
    if taps_major:
        cg, n = acc.shape[1:3]
        # One matmul for all taps; each tap's (Cg, n, OH, OW) block then adds
        # into the positions it read, OW-long runs on both sides.
        xp.matmul(kmat, grad.swapaxes(1, 2), out=slab)
        patches = view_as(slab, (g, kh, kw, cg, n, oh, ow))
        for p in range(kh * kw):
            i, j = divmod(p, kw)
            (_add_into if p else first)(acc[lead + geo.window(i, j)],
                                        patches[:, i, j])
        return
    n, cg = acc.shape[0], acc.shape[-1]
    # One (M, Cg) slab per tap rather than all (M, K) patch gradients at once:
    # the adds then run over Cg * OW contiguous values instead of Cg.
    taps = kmat.reshape(g, kh * kw, cg, -1)
    for p in range(kh * kw):
        xp.matmul(grad, taps[:, p].swapaxes(1, 2), out=slab)
        (_add_into if p else first)(
            acc[lead + geo.window(*divmod(p, kw))],
            view_as(slab, (g, n, oh, ow, cg)).transpose(1, 2, 3, 0, 4))


def _strip(a, axis: int, index: slice):
    """`a` sliced by `index` along `axis`."""
    key = [slice(None)] * a.ndim
    key[axis] = index
    return a[tuple(key)]


def _add_into(out, values) -> None:
    get_array_module(out).add(out, values, out=out)


def grad_buffer(xp, shape, geo: Geometry, taps_major: bool, dtype):
    """Accumulator for the padded input gradient of a slice of `shape` (see
    `col2im`), or None when it can accumulate in the result itself."""
    padded = _padded_shape(shape, geo, taps_major)
    return None if padded is None else xp.empty(padded, dtype=dtype)


def slice_grad(gx, buf, geo: Geometry, taps_major: bool):
    """The accumulator for the slice `gx` (n, H, W, C) of the input gradient,
    shaped for `col2im`; with a `buf`, `store_grad` then moves it into `gx`."""
    n, _, _, c = gx.shape
    g = geo.groups
    if buf is None:
        return view_as(gx, gx.shape[:3] + (g, c // g))
    acc = buf[:, :n] if taps_major else buf[:n]
    if taps_major:
        return view_as(acc, (g, c // g) + acc.shape[1:])
    return view_as(acc, acc.shape[:3] + (g, c // g))


def store_grad(gx, acc, geo: Geometry, taps_major: bool) -> None:
    """Copies the interior of the accumulator `acc` (from a `grad_buffer`) into
    the slice `gx`."""
    n, h, w, c = gx.shape
    (top, _), (left, _) = geo.pads
    if taps_major:
        interior = view_as(acc, (c,) + acc.shape[2:])[:, :, top:top + h,
                                                      left:left + w]
        gx[...] = interior.transpose(1, 2, 3, 0)
    else:
        gx[...] = view_as(acc, acc.shape[:3] + (c,))[:, top:top + h, left:left + w]


# -- kernel matrices -----------------------------------------------------------------


def kernel_matrix(kernel, groups: int, bias=None):
    """(KH, KW, Cg, Cout) kernel as (groups, KH * KW * Cg, Cout // groups).

    A bias becomes one more row (groups, K + 1, Og), matching the patches' ones.
    """
    kh, kw, cg, cout = kernel.shape
    k = kernel.reshape(kh, kw, cg, groups, cout // groups).transpose(3, 0, 1, 2, 4)
    k = k.reshape(groups, kh * kw * cg, cout // groups)
    if bias is None:
        return k
    xp = get_array_module(kernel)
    return xp.concatenate([k, bias.reshape(groups, 1, cout // groups)], axis=1)


def kernel_from_matrix(mat, shape, groups: int):
    """Inverse of `kernel_matrix` (without the bias row)."""
    kh, kw, cg, cout = shape
    k = mat.reshape(groups, kh, kw, cg, cout // groups).transpose(1, 2, 3, 0, 4)
    return k.reshape(shape)


def split_groups(y, groups: int, write: bool = False):
    """NHWC (n, OH, OW, groups * Og) as (groups, n * OH * OW, Og): a view, or
    a copy if `y` is not contiguous, which `write` forbids."""
    shape = (-1, groups, y.shape[-1] // groups)
    return (view_as(y, shape) if write else y.reshape(shape)).transpose(1, 0, 2)


def sample_bytes(in_shape, geo: Geometry, taps: int, out_channels: int,
                 itemsize: int) -> int:
    """Working set of one sample: patches, output and its gradient, padded input
    and its gradient (what one batch slice of a convolution touches)."""
    _, h, w, c = in_shape
    (top, bottom), (left, right) = geo.pads
    positions = geo.out_hw[0] * geo.out_hw[1]
    padded = (h + top + bottom) * (w + left + right) * c
    return itemsize * (positions * (taps + 1 + 2 * out_channels) + 2 * padded)
