/**
 * Text similarity for the monthly review of recurring problems (每月研判):
 * which reports in one category describe the same problem again and again.
 *
 * Chinese text has no spaces between words, so splitting on whitespace finds
 * nothing. We compare character n-grams instead: a report is the set of its
 * characters and character bigrams (most Chinese words are two characters,
 * so a bigram is roughly a word or the seam between two), taken inside runs of text only —
 * punctuation and spaces break a run, so no gram spans two clauses. Latin
 * letters and digits form tokens of their own ("3号楼", "wifi").
 *
 * Similarity is a weighted Jaccard: each gram weighs its inverse document
 * frequency in the corpus at hand, so the words every report in a category
 * shares ("反映", "噪音" among noise complaints) count less than the place
 * names and specifics that mark the same problem. Grouping is star
 * clustering around the most-echoed reports, over pairs found with an exact
 * weighted prefix filter, so a month of a city's reports is not compared
 * pair by pair.
 *
 * Pure: no I/O; used by the server and usable in the browser.
 */

/** Default similarity above which two reports are taken for the same problem. */
export const DEFAULT_THRESHOLD = 0.2;
/** A group needs this many reports to be a recurring problem. */
export const DEFAULT_MIN_GROUP_SIZE = 3;

/** Characters that end a run of text: whitespace, punctuation and symbols of every script. */
const BREAK = /[\s\p{P}\p{S}]+/u;
const ASCII_WORD = /^[a-z0-9]+$/;

/**
 * Normalises a text for comparison: Unicode NFKC (full-width Ａ１ → A1),
 * lower case. Traditional and simplified forms are not unified.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * Splits a text into runs between breaks, and each run into tokens: a
 * maximal sequence of ASCII letters/digits is one token, any other character
 * is a token by itself ("3号楼漏水" → "3", "号", "楼", "漏", "水").
 */
export function tokenRuns(text: string): string[][] {
  const runs: string[][] = [];
  for (const part of normalizeText(text).split(BREAK)) {
    if (!part) continue;
    const tokens: string[] = [];
    let word = '';
    for (const ch of part) {
      if (ASCII_WORD.test(ch)) {
        word += ch;
        continue;
      }
      if (word) tokens.push(word), (word = '');
      tokens.push(ch);
    }
    if (word) tokens.push(word);
    runs.push(tokens);
  }
  return runs;
}

/**
 * The set of character n-grams of a text (n = 2 by default), within runs.
 * A run shorter than n gives itself, so "灯" alone is not lost.
 */
export function charNgrams(text: string, n = 2): Set<string> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError('n must be a positive integer');
  const out = new Set<string>();
  for (const run of tokenRuns(text)) {
    if (run.length < n) {
      out.add(run.join(''));
      continue;
    }
    for (let i = 0; i + n <= run.length; i++) out.add(run.slice(i, i + n).join(''));
  }
  return out;
}

/**
 * The features a report is compared on: its characters and its character
 * bigrams. Bigrams carry the words; single characters keep paraphrases close
 * ("三号楼" / "3号楼", "装修噪音" / "装修很吵"), where bigrams alone share little.
 */
export function textFeatures(text: string): Set<string> {
  const out = charNgrams(text, 1);
  for (const g of charNgrams(text, 2)) out.add(g);
  return out;
}

/** Plain Jaccard index |A ∩ B| / |A ∪ B| (1 for two empty sets). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let inter = 0;
  for (const g of small) if (large.has(g)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Gram weights: inverse document frequency, ln(1 + N / df). A gram never seen weighs as if seen once. */
export class GramWeights {
  private readonly df = new Map<string, number>();
  private docs = 0;

  static of(sets: Iterable<ReadonlySet<string>>): GramWeights {
    const w = new GramWeights();
    for (const s of sets) w.add(s);
    return w;
  }

  add(grams: ReadonlySet<string>): void {
    this.docs++;
    for (const g of grams) this.df.set(g, (this.df.get(g) ?? 0) + 1);
  }

  /** Documents containing the gram. */
  frequency(gram: string): number {
    return this.df.get(gram) ?? 0;
  }

  weight(gram: string): number {
    return Math.log(1 + Math.max(this.docs, 1) / Math.max(this.df.get(gram) ?? 0, 1));
  }
}

/**
 * Weighted Jaccard: Σ w(A ∩ B) / Σ w(A ∪ B). With every weight 1 it is the
 * plain Jaccard index. Two empty sets are identical (1).
 */
export function weightedJaccard(a: ReadonlySet<string>, b: ReadonlySet<string>, weight: (g: string) => number): number {
  let inter = 0;
  let union = 0;
  for (const g of a) {
    const w = weight(g);
    union += w;
    if (b.has(g)) inter += w;
  }
  for (const g of b) if (!a.has(g)) union += weight(g);
  return union === 0 ? 1 : inter / union;
}

/** Similarity of two texts on their own (no corpus: plain Jaccard over their features). */
export function textSimilarity(a: string, b: string): number {
  return jaccard(textFeatures(a), textFeatures(b));
}

export interface SimilarityDoc<K> {
  id: K;
  text: string;
}

export interface GroupOptions {
  /** Weighted Jaccard at or above which two reports are linked (0 < t ≤ 1). */
  threshold?: number;
  /** Smallest group returned. */
  minSize?: number;
  /** How many grams make up a group's keywords. */
  keywords?: number;
  /**
   * How many earlier texts sharing a gram each text is compared with.
   * Bounds the work when thousands of reports repeat the same words
   * (identical copies are folded first and never count against it).
   */
  window?: number;
  /**
   * Of a text's common grams (in more than `window` texts), how many of the
   * heaviest are indexed and probed; rarer grams of its exact prefix always
   * are. Texts of one problem share their rare grams (a place, an object),
   * so a few common ones suffice; Infinity (with a window as large as the
   * input) makes the search exact: every pair at or above the threshold.
   */
  probe?: number;
}

export interface SimilarGroup<K> {
  /** Member ids, in input order. */
  ids: K[];
  /** The member most similar to the others (its text is the group's example). */
  representative: K;
  /** Mean similarity of the members to the representative (1 for identical texts). */
  cohesion: number;
  /** The grams that weigh most across the members: a label for people. */
  keywords: string[];
}

/**
 * Groups texts that describe the same problem (star clustering): the text
 * with the most similar reports becomes a group's centre and takes every
 * not-yet-grouped text whose similarity to it (weighted Jaccard, IDF over
 * these texts) reaches the threshold; then the next centre, and so on.
 * Every member is similar to its centre — unlike single linkage, a chain of
 * pairwise-similar texts cannot join two different problems ("幸福路 noise" ~
 * "幸福路 garbage" ~ "人民路 garbage").
 *
 * Identical texts (same features) are folded into one before comparing, so
 * a flood of copies costs one comparison. Candidate pairs come from an exact
 * weighted prefix filter: grams sorted by weight, heaviest first, in one
 * global order; if two texts share no gram of their prefixes, their shared
 * weight is below t × their own weight, so they cannot reach t. Only prefix
 * grams are indexed. Deterministic: the same input gives the same groups,
 * ordered by size (then first member).
 */
export function groupSimilar<K>(docs: readonly SimilarityDoc<K>[], opts: GroupOptions = {}): SimilarGroup<K>[] {
  const t = opts.threshold ?? DEFAULT_THRESHOLD;
  if (!(t > 0 && t <= 1)) throw new RangeError('threshold must be in (0, 1]');
  const minSize = Math.max(2, opts.minSize ?? DEFAULT_MIN_GROUP_SIZE);
  const window = Math.max(1, opts.window ?? 100);
  const probe = Math.max(1, opts.probe ?? 8);
  const feats = docs.map((d) => textFeatures(d.text));
  const weights = GramWeights.of(feats);

  // One global gram order (heaviest first, then by the gram): gram id = rank.
  const grams = [...new Set(feats.flatMap((f) => [...f]))].sort((a, b) => weights.weight(b) - weights.weight(a) || (a < b ? -1 : a > b ? 1 : 0));
  const idOf = new Map(grams.map((g, i) => [g, i]));
  const w = Float64Array.from(grams, (g) => weights.weight(g));
  const df = Int32Array.from(grams, (g) => weights.frequency(g));

  // Fold identical texts: one unique text per feature set, with its members (input indexes).
  const uniqueOf = new Map<string, number>();
  const members: number[][] = [];
  const vecs: Int32Array[] = [];
  for (let i = 0; i < docs.length; i++) {
    const v = Int32Array.from([...feats[i]!].map((g) => idOf.get(g)!)).sort();
    const key = v.join(',');
    const u = uniqueOf.get(key);
    if (u !== undefined) members[u]!.push(i);
    else {
      uniqueOf.set(key, members.length);
      members.push([i]);
      vecs.push(v);
    }
  }
  const n = vecs.length;
  const total = vecs.map((v) => v.reduce((s, g) => s + w[g]!, 0));

  /** Weighted Jaccard of two unique texts (sorted id arrays: one merge). */
  const sim = (a: number, b: number): number => {
    const x = vecs[a]!;
    const y = vecs[b]!;
    let i = 0;
    let j = 0;
    let inter = 0;
    while (i < x.length && j < y.length) {
      if (x[i] === y[j]) {
        inter += w[x[i]!]!;
        i++;
        j++;
      } else if (x[i]! < y[j]!) i++;
      else j++;
    }
    const union = total[a]! + total[b]! - inter;
    return union === 0 ? 1 : inter / union;
  };

  // Neighbours at or above t, through the prefix index.
  const neighbours: { v: number; s: number }[][] = Array.from({ length: n }, () => []);
  const index = new Map<number, number[]>();
  const stamp = new Int32Array(n).fill(-1);
  for (let u = 0; u < n; u++) {
    const v = vecs[u]!;
    let suffix = total[u]!;
    let len = 0;
    while (len < v.length && suffix >= t * total[u]! - 1e-12) suffix -= w[v[len++]!]!;
    // Grams of one text alone pair with nothing. Grams in at most `window` texts cost little and are all
    // probed (exact); of the common ones, only the `probe` heaviest.
    for (let k = 0, common = 0; k < len; k++) {
      const g = v[k]!;
      if (df[g]! < 2) continue;
      if (df[g]! > window && ++common > probe) continue;
      const list = index.get(g);
      if (!list) {
        index.set(g, [u]);
        continue;
      }
      for (let q = Math.max(0, list.length - window); q < list.length; q++) {
        const o = list[q]!;
        if (stamp[o] === u) continue;
        stamp[o] = u;
        // Size filter: a light text cannot reach t against a much heavier one.
        const lo = Math.min(total[u]!, total[o]!);
        const hi = Math.max(total[u]!, total[o]!);
        if (lo < t * hi - 1e-12) continue;
        const s = sim(u, o);
        if (s >= t - 1e-12) {
          neighbours[u]!.push({ v: o, s });
          neighbours[o]!.push({ v: u, s });
        }
      }
      list.push(u);
    }
  }

  // Star clustering: centres by how many reports they are similar to (copies included), then by input order.
  const degree = neighbours.map((nb, u) => members[u]!.length - 1 + nb.reduce((s, x) => s + members[x.v]!.length, 0));
  const order = Array.from({ length: n }, (_, u) => u).sort((a, b) => degree[b]! - degree[a]! || members[a]![0]! - members[b]![0]!);
  const taken = new Uint8Array(n);
  const keywordCount = opts.keywords ?? 6;
  const groups: (SimilarGroup<K> & { first: number })[] = [];
  for (const c of order) {
    if (taken[c]) continue;
    taken[c] = 1;
    const star = [{ v: c, s: 1 }];
    for (const x of neighbours[c]!) {
      if (taken[x.v]) continue;
      taken[x.v] = 1;
      star.push(x);
    }
    const idx = star.flatMap((x) => members[x.v]!).sort((a, b) => a - b);
    if (idx.length < minSize) continue;
    const cohesion = star.reduce((sum, x) => sum + x.s * members[x.v]!.length, 0) / idx.length;
    const keywords = topKeywords(
      idx.map((i) => feats[i]!),
      (g) => weights.weight(g),
      keywordCount,
    );
    groups.push({ ids: idx.map((i) => docs[i]!.id), representative: docs[members[c]![0]!]!.id, cohesion, keywords, first: idx[0]! });
  }
  groups.sort((a, b) => b.ids.length - a.ids.length || a.first - b.first);
  return groups.map(({ first: _first, ...g }) => g);
}

/** Keywords of a group: bigrams (words, not loose characters) found in at least two members, by (members containing it × weight). */
function topKeywords(members: readonly ReadonlySet<string>[], w: (g: string) => number, count: number): string[] {
  const score = new Map<string, number>();
  for (const m of members) for (const g of m) if ([...g].length > 1) score.set(g, (score.get(g) ?? 0) + 1);
  return [...score.entries()]
    .filter(([, n]) => n >= 2)
    .sort((a, b) => b[1] * w(b[0]) - a[1] * w(a[0]) || (a[0] < b[0] ? -1 : 1))
    .slice(0, count)
    .map(([g]) => g);
}

/**
 * Keywords of a set of reports against a wider corpus (the month's reports
 * of their category): the same labels groupSimilar gives the group.
 */
export function keywordsOf(members: readonly string[], corpus: readonly string[], count = 6): string[] {
  const weights = GramWeights.of(corpus.map((t) => textFeatures(t)));
  return topKeywords(members.map((t) => textFeatures(t)), (g) => weights.weight(g), count);
}

/**
 * Does a text describe the same problem as any of a group's sample texts?
 * Used to follow a group marked for solving at the source (源头治理): new
 * reports that match it are listed under it. Weights are the IDF over the
 * samples and the candidate together, as in grouping.
 */
export function matchesAny(text: string, samples: readonly string[], threshold = DEFAULT_THRESHOLD): { matched: boolean; similarity: number } {
  const g = textFeatures(text);
  const sampleGrams = samples.map((s) => textFeatures(s));
  const weights = GramWeights.of([g, ...sampleGrams]);
  let best = 0;
  for (const s of sampleGrams) best = Math.max(best, weightedJaccard(g, s, (x) => weights.weight(x)));
  return { matched: best >= threshold - 1e-12, similarity: best };
}
