"""同质化 homogeneity: how alike a group's captions are, from character n-gram MinHash signatures.

Each post's caption (title + text, NFKC, lower-cased, whitespace and ``#`` marks removed) becomes a
set of character n-grams; ``PERMUTATIONS`` universal hash functions give each post a MinHash
signature. Two posts agree in one signature position with probability equal to the Jaccard
similarity of their shingle sets, so:

- the *mean pairwise similarity* of a group is the mean, over positions, of the share of pairs that
  agree there. Pairs agreeing in a position are counted from runs of equal values in the sorted
  position (sum of n_v·(n_v−1)/2), so no pair of posts is ever compared: O(posts·log(posts) ×
  permutations), not O(posts²);
- *near-duplicate clusters* come from LSH banding: posts sharing all rows of any band fall in one
  bucket, and buckets are merged into the connected components of the (post, bucket) graph (scipy's
  sparse graph routines), again without a pairwise loop.

A post's signature depends on its caption only, so the build keeps one per post
(``int_post_caption_signatures``, by :func:`caption_signatures`), publishes them as
``fct_post_caption_signature`` and a monthly run reads them there.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl
from scipy import sparse
from scipy.sparse import csgraph

NGRAM = 3
PERMUTATIONS = 64
BANDS = 16  # 16 bands × 4 rows: pairs above ~0.5 Jaccard become candidates, clusters are checked below
ROWS_PER_BAND = PERMUTATIONS // BANDS
NEAR_DUPLICATE = 0.8  # a cluster member's signature must agree this much with its cluster's seed
NO_CAPTION = np.iinfo(np.uint32).max  # every position of a post without a caption (no hash reaches it)
_SEED = 20261001  # fixed: the same captions give the same signatures in every run


def _hash_parameters() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(_SEED)
    top = np.iinfo(np.uint64).max
    return (
        rng.integers(0, top, size=PERMUTATIONS, dtype=np.uint64, endpoint=True),
        rng.integers(0, top, size=PERMUTATIONS, dtype=np.uint64, endpoint=True),
    )


# Dietzfelbinger's multiply-add-shift: for 32-bit shingle hashes x and random 64-bit a, b, the top
# bits of a·x + b (mod 2^64) are a 2-independent hash, as (a·x + b) mod p is, in three machine
# operations instead of eight. 31 bits are kept, so no value equals NO_CAPTION and a signature fits
# in uint32; two different minima agree by chance once in 2^31.
_A, _B = _hash_parameters()
_SHIFT = np.uint64(64 - 31)


def normalised_caption(title: pl.Expr, text: pl.Expr) -> pl.Expr:
    """The caption compared: title and text, lower-case, without whitespace, # marks or punctuation."""
    joined = pl.concat_str([title.fill_null(""), text.fill_null("")], separator=" ")
    return joined.str.normalize("NFKC").str.to_lowercase().str.replace_all(r"[\s#\p{P}\p{S}]+", "")


def shingles(posts: pl.DataFrame, ngram: int = NGRAM) -> pl.DataFrame:
    """(row, shingle_hash) for every character n-gram of every post's ``caption``, in row order.

    A caption shorter than ``ngram`` is one shingle (itself); an empty caption has none. An n-gram
    that occurs twice in a caption is listed twice: a minimum does not change with repeats, and
    removing them cost more than the signatures' arithmetic on them.
    """
    caption = pl.col("caption")
    length = caption.str.len_chars().cast(pl.Int64)
    starts = pl.int_ranges(0, pl.max_horizontal(length - ngram + 1, pl.lit(1)))
    return (
        posts.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"), caption)
        .filter(length > 0)
        .with_columns(start=starts)
        .explode("start")
        .select("row", shingle_hash=(caption.str.slice(pl.col("start"), ngram).hash(seed=7) & 0xFFFFFFFF))
    )


_CHUNK_SHINGLES = 1 << 16  # ~0.5 MB of uint64 per pass: the 64 passes over a chunk stay in cache


def signatures(posts: pl.DataFrame) -> np.ndarray:
    """MinHash signatures, shape (posts, PERMUTATIONS), uint32; rows without shingles are NO_CAPTION."""
    grams = shingles(posts)
    n = posts.height
    out = np.full((n, PERMUTATIONS), NO_CAPTION, dtype=np.uint32)
    if grams.is_empty():
        return out
    rows = grams["row"].to_numpy()
    hashes = grams["shingle_hash"].to_numpy().astype(np.uint64)
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    present = rows[starts]
    # chunks of whole posts: 64 hash functions, each vectorised over a chunk's shingles; numpy
    # releases the GIL, so the chunks are spread over the cores (they write disjoint rows of out)
    cuts = np.searchsorted(starts, np.arange(0, hashes.size, _CHUNK_SHINGLES), side="right") - 1
    bounds = np.unique(np.r_[cuts, starts.size])

    def sign(first: int, last: int) -> None:
        begin = starts[first]
        end = starts[last] if last < starts.size else hashes.size
        chunk, offsets, into = hashes[begin:end], starts[first:last] - begin, present[first:last]
        permuted = np.empty_like(chunk)
        for k in range(PERMUTATIONS):
            np.multiply(_A[k], chunk, out=permuted)  # wraps modulo 2^64, as the hash wants
            permuted += _B[k]
            permuted >>= _SHIFT
            out[into, k] = np.minimum.reduceat(permuted, offsets)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(sign, bounds[:-1], bounds[1:]))
    return out


SIGNATURE_TYPE = pl.Array(pl.UInt32, PERMUTATIONS)


def caption_signatures(posts: pl.DataFrame) -> pl.DataFrame:
    """(platform, post_id, signature) of ``posts`` (platform, post_id, title, text): the signature of
    the normalised caption, NULL for a post without one."""
    captioned = posts.select(
        "platform", "post_id", caption=normalised_caption(pl.col("title"), pl.col("text"))
    )
    sig = signatures(captioned)
    return captioned.select(
        "platform",
        "post_id",
        signature=pl.when(pl.col("caption").str.len_chars() > 0).then(pl.Series(sig, dtype=SIGNATURE_TYPE)),
    )


def signature_matrix(signature: pl.Series) -> np.ndarray:
    """The (posts, PERMUTATIONS) uint32 array of a ``signature`` column; NULL rows are NO_CAPTION."""
    out = np.full((signature.len(), PERMUTATIONS), NO_CAPTION, dtype=np.uint32)
    known = signature.is_not_null().to_numpy()
    if known.any():
        out[known] = signature.filter(signature.is_not_null()).cast(SIGNATURE_TYPE).to_numpy()
    return out


def _group_ids(posts: pl.DataFrame, keys: list[str]) -> np.ndarray:
    """An integer per group of ``keys`` (dense, from 1): cheaper to group 64 rows per post by than
    the keys themselves."""
    return posts.select(pl.struct(keys).rank("dense").cast(pl.UInt32))[:, 0].to_numpy()


_VALUE_BITS = 31


def _agreeing_pairs(sig: np.ndarray, outer: np.ndarray, inner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per group id (dense, from 1): the (pair of posts of the group, position) that agree, summed
    over the positions, for the ``outer`` groups and for the ``inner`` groups nested in them.

    ``sig``: the captioned posts' signatures; ``outer``/``inner``: their group ids. One sort per
    position serves both levels: sorted by (outer group, value, inner group), the posts of a group
    that agree on a value lie next to each other, and within them those of each inner group; a run
    of n agreeing posts holds n·(n−1)/2 pairs. Counting equal values this way took a third of the CPU
    of DuckDB's hash aggregation of (group, position, value) rows, per level, at 340k posts.
    """
    outer_groups, inner_groups = int(outer.max()) + 1, int(inner.max()) + 1
    inner_bits = inner_groups.bit_length()
    if outer_groups.bit_length() + _VALUE_BITS + inner_bits > 64:
        raise ValueError(f"{outer_groups} × {inner_groups} groups do not fit one 64-bit sort key")
    prefix = (outer.astype(np.uint64) << np.uint64(_VALUE_BITS + inner_bits)) | inner.astype(np.uint64)

    def pairs_per_group(sorted_keys: np.ndarray, group_of: np.ndarray, groups: int) -> np.ndarray:
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        runs = np.diff(np.r_[starts, sorted_keys.size])
        return np.bincount(group_of[starts].astype(np.int64), weights=runs * (runs - 1) / 2, minlength=groups)

    def agreeing(k: int) -> tuple[np.ndarray, np.ndarray]:
        key = prefix | (sig[:, k].astype(np.uint64) << np.uint64(inner_bits))
        key.sort()
        group_value = key >> np.uint64(inner_bits)  # the outer level: runs of equal (group, value)
        return (
            pairs_per_group(group_value, group_value >> np.uint64(_VALUE_BITS), outer_groups),
            pairs_per_group(key, key & np.uint64((1 << inner_bits) - 1), inner_groups),
        )

    # numpy sorts without the GIL: the positions are spread over the cores
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counted = list(pool.map(agreeing, range(PERMUTATIONS)))
    return np.sum([c[0] for c in counted], axis=0), np.sum([c[1] for c in counted], axis=0)


def _similarity(
    posts: pl.DataFrame, keys: list[str], group: np.ndarray, rows: np.ndarray, agreeing: np.ndarray
) -> pl.DataFrame:
    """The per-group frame of :func:`mean_pairwise_similarity` from the agreeing pairs per group id."""
    captioned = pl.DataFrame({"group": group[rows]}).group_by("group").agg(pl.len().alias("posts"))
    pairs = pl.col("posts").cast(pl.Float64) * (pl.col("posts").cast(pl.Float64) - 1) / 2
    return (
        captioned.with_columns(agreeing_pairs=pl.Series(agreeing)[captioned["group"]])
        .join(posts.select(keys).with_columns(group=pl.Series(group)).unique("group"), on="group")
        .select(
            *keys,
            "posts",
            homogeneity=pl.when(pl.col("posts") >= 2).then(pl.col("agreeing_pairs") / (pairs * PERMUTATIONS)),
        )
        .sort(keys)
    )


def _empty_similarity(posts: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return pl.DataFrame(schema={**posts.select(keys).schema, "posts": pl.UInt32, "homogeneity": pl.Float64})


def mean_pairwise_similarity(
    posts: pl.DataFrame, keys: list[str], sig: np.ndarray | None = None
) -> pl.DataFrame:
    """Per group of ``keys``: posts (with a caption) and the mean pairwise MinHash similarity.

    ``posts`` needs ``caption`` (see ``normalised_caption``) and the key columns; ``sig`` its
    :func:`signatures` when already computed. A group with fewer than two captioned posts has
    similarity NULL (there is no pair: unknown, not 0).
    """
    return nested_mean_pairwise_similarity(posts, keys, keys, sig)[0]


def nested_mean_pairwise_similarity(
    posts: pl.DataFrame, keys: list[str], inner_keys: list[str], sig: np.ndarray | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`mean_pairwise_similarity` per group of ``keys`` and per group of ``inner_keys`` (which
    include ``keys``: e.g. city and platform, then account), computed together."""
    empty = _empty_similarity(posts, keys), _empty_similarity(posts, inner_keys)
    if posts.is_empty():
        return empty
    sig = signatures(posts) if sig is None else sig
    rows = np.flatnonzero(sig[:, 0] != NO_CAPTION)
    if rows.size == 0:
        return empty
    group, inner = _group_ids(posts, keys), _group_ids(posts, inner_keys)
    agreeing, agreeing_inner = _agreeing_pairs(sig[rows], group[rows], inner[rows])
    return (
        _similarity(posts, keys, group, rows, agreeing),
        _similarity(posts, inner_keys, inner, rows, agreeing_inner),
    )


def near_duplicate_clusters(
    posts: pl.DataFrame, keys: list[str], sig: np.ndarray | None = None
) -> pl.DataFrame:
    """Per post that has a near-duplicate in its group: keys, row (position in ``posts``), cluster.

    ``cluster`` is the smallest row of the cluster. Candidates share an LSH band within a group;
    clusters are the connected components of the post—bucket graph; a member is kept when its
    signature agrees with the cluster seed's in at least ``NEAR_DUPLICATE`` of the positions.
    ``sig``: as in :func:`mean_pairwise_similarity`.
    """
    empty = pl.DataFrame(schema={**posts.select(keys).schema, "row": pl.UInt32, "cluster": pl.UInt32})
    if posts.height < 2:
        return empty
    sig = signatures(posts) if sig is None else sig
    has_text = np.flatnonzero(sig[:, 0] != NO_CAPTION).astype(np.uint32)
    if has_text.size < 2:
        return empty
    # one bucket per group, band and band contents: the band's rows hashed together, mixed with the
    # group and band (numpy over the (posts, bands) array: joining the keys onto 16 rows per post
    # and hashing them as a struct took 2 s at 340k posts)
    bands = sig[has_text].reshape(has_text.size, BANDS, ROWS_PER_BAND).astype(np.uint64)
    bucket = np.zeros((has_text.size, BANDS), dtype=np.uint64)
    for r in range(ROWS_PER_BAND):
        bucket = bucket * np.uint64(1_000_003) + bands[:, :, r]
    group = _group_ids(posts, keys)[has_text].astype(np.uint64)
    lane: np.ndarray = np.add.outer(group * np.uint64(BANDS), np.arange(BANDS, dtype=np.uint64))
    bucket ^= lane * np.uint64(0x9E3779B97F4A7C15)
    bucket ^= bucket >> np.uint64(31)  # splitmix64's finaliser: nearby lanes land far apart
    bucket *= np.uint64(0xBF58476D1CE4E5B9)
    bucket ^= bucket >> np.uint64(29)
    buckets = pl.Series("bucket_id", bucket.reshape(-1))
    shared = buckets.is_duplicated()  # a bucket of one post links nothing
    if not shared.any():
        return empty
    edges = pl.DataFrame({"row": np.repeat(has_text, BANDS), "bucket_id": buckets}).filter(shared)
    key_frame = posts.select(keys).with_row_index("row").with_columns(pl.col("row").cast(pl.UInt32))
    # connected components of the post—bucket graph; a cluster is labelled by its smallest row
    bucket_index = edges["bucket_id"].rank("dense").cast(pl.Int64).to_numpy() - 1
    nodes = posts.height + int(bucket_index.max()) + 1
    graph = sparse.coo_matrix(
        (np.ones(edges.height, dtype=np.int8), (edges["row"].to_numpy(), posts.height + bucket_index)),
        shape=(nodes, nodes),
    )
    _, component = csgraph.connected_components(graph, directed=False)
    linked = np.unique(edges["row"].to_numpy())
    labels = pl.DataFrame({"row": linked, "component": component[linked]}).select(
        "row", label=pl.col("row").min().over("component")
    )
    seeds = labels["label"].to_numpy()
    agreement = (sig[labels["row"].to_numpy()] == sig[seeds]).mean(axis=1)
    members = labels.with_columns(agreement=pl.Series(agreement)).filter(
        pl.col("agreement") >= NEAR_DUPLICATE
    )
    sizes = members.group_by("label").agg(pl.len().alias("size")).filter(pl.col("size") >= 2)
    return (
        members.join(sizes, on="label", how="semi")
        .select("row", cluster=pl.col("label").cast(pl.UInt32))
        .join(key_frame, on="row", how="left")
        .select(*keys, "row", "cluster")
        .sort("cluster", "row")
    )
