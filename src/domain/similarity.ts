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
 * names and specifics that mark the same problem. Grouping is single-linkage
 * over pairs above a threshold, found with an exact weighted prefix filter so
 * a month of a city's reports is not compared pair by pair.
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
   * How many earlier reports sharing a gram each report is compared with.
   * Bounds the work when hundreds of reports repeat the same words (a flood
   * of identical reports still links up: each links to those just before it).
   */
  window?: number;
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

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[i] !== r) {
      const next = this.parent[i]!;
      this.parent[i] = r;
      i = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/**
 * Groups texts that describe the same problem: single-linkage over pairs
 * whose weighted Jaccard (IDF over these texts) reaches the threshold.
 *
 * Candidate pairs come from an exact weighted prefix filter: a text's grams
 * sorted by weight, heaviest first; if two texts share none of the grams in
 * their prefixes, their shared weight is below t × their own weight, so they
 * cannot reach t. Only prefix grams are indexed. Deterministic: the same
 * input gives the same groups, ordered by size (then first member).
 */
export function groupSimilar<K>(docs: readonly SimilarityDoc<K>[], opts: GroupOptions = {}): SimilarGroup<K>[] {
  const t = opts.threshold ?? DEFAULT_THRESHOLD;
  if (!(t > 0 && t <= 1)) throw new RangeError('threshold must be in (0, 1]');
  const minSize = Math.max(2, opts.minSize ?? DEFAULT_MIN_GROUP_SIZE);
  const window = Math.max(1, opts.window ?? 64);
  const grams = docs.map((d) => textFeatures(d.text));
  const weights = GramWeights.of(grams);
  const w = (g: string) => weights.weight(g);

  // Each text's grams, heaviest first (ties by the gram, for determinism), and its prefix length.
  const prefixes = grams.map((set) => {
    const sorted = [...set].sort((a, b) => w(b) - w(a) || (a < b ? -1 : a > b ? 1 : 0));
    const total = sorted.reduce((s, g) => s + w(g), 0);
    // Smallest prefix whose remaining suffix weighs less than t × total.
    let suffix = total;
    let len = 0;
    while (len < sorted.length && suffix >= t * total - 1e-12) suffix -= w(sorted[len++]!);
    return sorted.slice(0, Math.max(len, Math.min(1, sorted.length)));
  });

  const uf = new UnionFind(docs.length);
  const index = new Map<string, number[]>();
  const seen = new Set<number>();
  for (let i = 0; i < docs.length; i++) {
    seen.clear();
    for (const g of prefixes[i]!) {
      const list = index.get(g);
      if (list) {
        for (let k = Math.max(0, list.length - window); k < list.length; k++) {
          const j = list[k]!;
          if (seen.has(j)) continue;
          seen.add(j);
          if (uf.find(i) === uf.find(j)) continue;
          if (weightedJaccard(grams[i]!, grams[j]!, w) >= t - 1e-12) uf.union(i, j);
        }
        list.push(i);
      } else index.set(g, [i]);
    }
  }

  const members = new Map<number, number[]>();
  for (let i = 0; i < docs.length; i++) {
    const r = uf.find(i);
    const m = members.get(r);
    if (m) m.push(i);
    else members.set(r, [i]);
  }

  const keywordCount = opts.keywords ?? 6;
  const groups: (SimilarGroup<K> & { first: number })[] = [];
  for (const idx of members.values()) {
    if (idx.length < minSize) continue;
    // The representative: highest mean similarity to the others (a sample of 200 bounds the work).
    const sample = idx.length > 200 ? idx.filter((_, k) => k % Math.ceil(idx.length / 200) === 0) : idx;
    let best = idx[0]!;
    let bestScore = -1;
    for (const i of sample) {
      let s = 0;
      for (const j of sample) if (j !== i) s += weightedJaccard(grams[i]!, grams[j]!, w);
      if (s > bestScore + 1e-12) (bestScore = s), (best = i);
    }
    let cohesion = 0;
    for (const j of idx) cohesion += j === best ? 1 : weightedJaccard(grams[best]!, grams[j]!, w);
    const keywords = topKeywords(idx.map((i) => grams[i]!), w, keywordCount);
    groups.push({ ids: idx.map((i) => docs[i]!.id), representative: docs[best]!.id, cohesion: cohesion / idx.length, keywords, first: idx[0]! });
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
