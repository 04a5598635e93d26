import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  charNgrams,
  GramWeights,
  groupSimilar,
  jaccard,
  keywordsOf,
  matchesAny,
  normalizeText,
  textFeatures,
  textSimilarity,
  tokenRuns,
  weightedJaccard,
} from './similarity.js';

/** A month of noise complaints in one community: two recurring problems and four one-offs. */
const NOISE = [
  '幸福路3号楼楼上邻居每晚装修噪音到深夜', // 0 renovation at No. 3
  '幸福路3号楼装修噪音很大，深夜还在施工', // 1
  '幸福路三号楼有人晚上装修，噪音扰民', // 2
  '东湖公园广场舞音响声音太大，影响休息', // 3 square dancing at the park
  '东湖公园每晚广场舞噪音扰民', // 4
  '东湖公园广场舞音箱声音很大，晚上九点后还在跳', // 5
  '菜市场门口早上五点卸货噪音', // 6
  '小区地下车库排风机噪音大', // 7
  '建设路KTV深夜噪音扰民', // 8
  '3号楼楼上装修太吵了，晚上十一点还在电钻', // 9 same building, no street name: a weaker link
];

describe('n-grams of Chinese text', () => {
  it('splits runs at punctuation and spaces, keeps ASCII words whole, normalises full-width forms', () => {
    expect(tokenRuns('幸福路３号楼，ＫＴＶ 噪音!')).toEqual([['幸', '福', '路', '3', '号', '楼'], ['ktv'], ['噪', '音']]);
    expect(normalizeText('ＡＢＣ１２３')).toBe('abc123');
  });

  it('bigrams stay inside runs; a run shorter than n is kept whole', () => {
    expect([...charNgrams('路灯坏了，灯')].sort()).toEqual(['坏了', '灯', '灯坏', '路灯'].sort());
    expect([...charNgrams('装修噪音', 3)].sort()).toEqual(['修噪音', '装修噪'].sort());
    // Whitespace splitting would see one "word" in a Chinese sentence; n-grams see its parts.
    expect(charNgrams('楼上装修噪音').size).toBe(5);
    expect(() => charNgrams('x', 0)).toThrow(RangeError);
  });

  it('features are the characters and the bigrams', () => {
    expect([...textFeatures('井盖坏')].sort()).toEqual(['井', '井盖', '坏', '盖', '盖坏'].sort());
  });
});

describe('similarity', () => {
  it('Jaccard by hand', () => {
    expect(jaccard(new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd']))).toBe(2 / 4);
    expect(jaccard(new Set(), new Set())).toBe(1);
    expect(jaccard(new Set(['a']), new Set())).toBe(0);
    // With unit weights the weighted index is the plain one.
    expect(weightedJaccard(new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd']), () => 1)).toBe(0.5);
    // A heavy shared gram pulls the pair together: shared {b:3}, union {a:1, b:3, d:1}.
    expect(weightedJaccard(new Set(['a', 'b']), new Set(['b', 'd']), (g) => (g === 'b' ? 3 : 1))).toBeCloseTo(3 / 5, 12);
  });

  it('IDF weights: a gram in every text weighs least', () => {
    const w = GramWeights.of([new Set(['噪音', '装修']), new Set(['噪音', '广场']), new Set(['噪音'])]);
    expect(w.frequency('噪音')).toBe(3);
    expect(w.weight('噪音')).toBeCloseTo(Math.log(2), 12);
    expect(w.weight('装修')).toBeCloseTo(Math.log(4), 12);
    expect(w.weight('never')).toBeCloseTo(Math.log(4), 12);
  });

  it('paraphrases of one problem are closer than different problems', () => {
    expect(textSimilarity(NOISE[0]!, NOISE[1]!)).toBeGreaterThan(textSimilarity(NOISE[0]!, NOISE[3]!) + 0.2);
    expect(textSimilarity('路灯不亮', '路灯不亮')).toBe(1);
  });

  it('properties: symmetric, in [0, 1], 1 on itself', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        const s = textSimilarity(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(textSimilarity(b, a)).toBeCloseTo(s, 12);
        expect(textSimilarity(a, a)).toBe(1);
      }),
    );
  });
});

describe('groupSimilar', () => {
  const docs = NOISE.map((text, id) => ({ id, text }));

  it('finds the two recurring problems and leaves the one-offs alone', () => {
    const groups = groupSimilar(docs, { threshold: 0.2, minSize: 3 });
    expect(groups.map((g) => g.ids)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(groups[0]!.keywords).toEqual(expect.arrayContaining(['幸福', '装修']));
    expect(groups[1]!.keywords).toEqual(expect.arrayContaining(['东湖', '广场']));
    for (const g of groups) {
      expect(g.ids).toContain(g.representative);
      expect(g.cohesion).toBeGreaterThan(0.2);
      expect(g.cohesion).toBeLessThanOrEqual(1);
    }
  });

  it('a lower threshold takes in the weaker paraphrase; a higher one keeps only the closest pair', () => {
    expect(groupSimilar(docs, { threshold: 0.15, minSize: 3 }).map((g) => g.ids)).toEqual([
      [0, 1, 2, 9],
      [3, 4, 5],
    ]);
    expect(groupSimilar(docs, { threshold: 0.3, minSize: 2 }).map((g) => g.ids)).toEqual([[0, 1]]);
  });

  it('a chain of pairwise-similar reports does not become one group: every member is similar to its centre', () => {
    const chain = ['幸福路三号楼装修噪音', '幸福路三号楼垃圾堆放', '人民路五号楼垃圾堆放', '人民路五号楼占道经营', '建设路八号楼占道经营'];
    // Neighbours are similar (≥ 0.3), the ends are not (< 0.1): single linkage would make one group of five.
    const groups = groupSimilar(
      chain.map((text, id) => ({ id, text })),
      { threshold: 0.3, minSize: 2 },
    );
    expect(groups.map((g) => g.ids)).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    expect(groups[0]!.representative).toBe(1);
  });

  it('a flood of identical reports is one group; near-copies join it', () => {
    const flood = Array.from({ length: 500 }, (_, i) => ({ id: i, text: i % 50 === 7 ? `第${i}号路灯不亮` : '人民路菜市场门口垃圾堆放无人清理' }));
    const [g, ...rest] = groupSimilar(flood, { window: 8 });
    expect(g!.ids).toHaveLength(490);
    expect(g!.cohesion).toBe(1);
    // The ten street-light reports differ only by number: they group too.
    expect(rest.map((r) => r.ids.length)).toEqual([10]);
  });

  it('with an unbounded search, equals star clustering over every pair (the prefix filter loses no pair)', () => {
    const words = ['幸福路', '东湖', '公园', '装修', '噪音', '深夜', '广场舞', '3号楼', '垃圾', '路灯', '不亮', '扰民'];
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 5 }), { minLength: 2, maxLength: 25 }), fc.constantFrom(0.2, 0.35, 0.5), (texts, t) => {
        const ds = texts.map((w, id) => ({ id, text: w.join('') }));
        const got = groupSimilar(ds, { threshold: t, minSize: 2, window: 1000, probe: Infinity }).map((g) => g.ids.join(','));
        // Reference: every pair compared; identical texts folded; centres by degree (copies count), then first index.
        const feats = ds.map((d) => textFeatures(d.text));
        const w = GramWeights.of(feats);
        const s = (i: number, j: number) => weightedJaccard(feats[i]!, feats[j]!, (g) => w.weight(g));
        const key = feats.map((f) => [...f].sort().join('|'));
        const uniq: number[][] = [];
        key.forEach((k, i) => {
          const u = uniq.find((m) => key[m[0]!] === k);
          if (u) u.push(i);
          else uniq.push([i]);
        });
        const nb = uniq.map((_, a) => uniq.map((__, b) => b).filter((b) => b !== a && s(uniq[a]![0]!, uniq[b]![0]!) >= t - 1e-12));
        const deg = nb.map((list, a) => uniq[a]!.length - 1 + list.reduce((x, b) => x + uniq[b]!.length, 0));
        const order = uniq.map((_, a) => a).sort((a, b) => deg[b]! - deg[a]! || uniq[a]![0]! - uniq[b]![0]!);
        const taken = new Set<number>();
        const want: number[][] = [];
        for (const c of order) {
          if (taken.has(c)) continue;
          const star = [c, ...nb[c]!.filter((b) => !taken.has(b))];
          star.forEach((b) => taken.add(b));
          const ids = star.flatMap((b) => uniq[b]!).sort((x, y) => x - y);
          if (ids.length >= 2) want.push(ids);
        }
        want.sort((a, b) => b.length - a.length || a[0]! - b[0]!);
        expect(got).toEqual(want.map((x) => x.join(',')));
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic and rejects a bad threshold', () => {
    expect(groupSimilar(docs)).toEqual(groupSimilar(docs));
    expect(() => groupSimilar(docs, { threshold: 0 })).toThrow(RangeError);
    expect(() => groupSimilar(docs, { threshold: 1.5 })).toThrow(RangeError);
    expect(groupSimilar([])).toEqual([]);
  });
});

describe('keywordsOf', () => {
  it('gives a marked group the labels the analysis showed', () => {
    const [g] = groupSimilar(NOISE.map((text, id) => ({ id, text })));
    expect(keywordsOf(g!.ids.map((i) => NOISE[i]!), NOISE)).toEqual(g!.keywords);
    expect(keywordsOf(['路灯不亮'], NOISE)).toEqual([]);
  });
});

describe('matchesAny (following a group)', () => {
  it('a new report of the same problem matches; another problem does not', () => {
    const samples = NOISE.slice(0, 3);
    expect(matchesAny('幸福路3号楼又在装修，噪音吵得睡不着', samples).matched).toBe(true);
    const other = matchesAny('东湖公园广场舞太吵', samples);
    expect(other.matched).toBe(false);
    expect(other.similarity).toBeLessThan(0.2);
  });
});
