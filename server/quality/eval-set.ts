/**
 * The twin's evaluation set: short questions with one checkable answer (arithmetic, unit
 * conversion, percentages, squares, capital cities), generated deterministically, plus the
 * scorer that checks an answer text against the reference. The application agent sends these
 * prompts to a deployment's OpenAI-compatible endpoint; the simulator answers them correctly
 * with the deployment's modelled accuracy and otherwise with a plausible wrong value.
 */
import { hashString, rngAt, uniform01 } from '../cloud/model/rng.ts'

/** Kinds of questions. */
export type EvalCategory = 'arithmetic' | 'unit_conversion' | 'percentage' | 'square' | 'capital'

/** One evaluation item: the prompt to send and the reference answer. */
export interface EvalItem {
  id: string
  category: EvalCategory
  prompt: string
  /** Reference answer (a number as text for numeric items). */
  answer: string
  kind: 'number' | 'text'
  /** Plausible wrong answers a weaker model gives (text items). */
  distractors: readonly string[]
}

/** Country, capital, and the plausible wrong answer (usually the largest or best-known city). */
const CAPITALS: readonly [string, string, string][] = [
  ['France', 'Paris', 'Lyon'], ['Germany', 'Berlin', 'Munich'], ['Italy', 'Rome', 'Milan'], ['Spain', 'Madrid', 'Barcelona'],
  ['Portugal', 'Lisbon', 'Porto'], ['Australia', 'Canberra', 'Sydney'], ['Canada', 'Ottawa', 'Toronto'], ['Brazil', 'Brasilia', 'Rio de Janeiro'],
  ['Turkey', 'Ankara', 'Istanbul'], ['Switzerland', 'Bern', 'Zurich'], ['Japan', 'Tokyo', 'Osaka'], ['China', 'Beijing', 'Shanghai'],
  ['India', 'New Delhi', 'Mumbai'], ['Russia', 'Moscow', 'Saint Petersburg'], ['the United States', 'Washington', 'New York'],
  ['Mexico', 'Mexico City', 'Guadalajara'], ['Argentina', 'Buenos Aires', 'Cordoba'], ['Egypt', 'Cairo', 'Alexandria'],
  ['Nigeria', 'Abuja', 'Lagos'], ['Kenya', 'Nairobi', 'Mombasa'], ['Morocco', 'Rabat', 'Casablanca'], ['Pakistan', 'Islamabad', 'Karachi'],
  ['Vietnam', 'Hanoi', 'Ho Chi Minh City'], ['Thailand', 'Bangkok', 'Chiang Mai'], ['South Korea', 'Seoul', 'Busan'],
  ['Indonesia', 'Jakarta', 'Surabaya'], ['the Philippines', 'Manila', 'Cebu'], ['New Zealand', 'Wellington', 'Auckland'],
  ['Belgium', 'Brussels', 'Antwerp'], ['Austria', 'Vienna', 'Salzburg'], ['Poland', 'Warsaw', 'Krakow'], ['Sweden', 'Stockholm', 'Gothenburg'],
  ['Norway', 'Oslo', 'Bergen'], ['Finland', 'Helsinki', 'Tampere'], ['Denmark', 'Copenhagen', 'Aarhus'], ['Ireland', 'Dublin', 'Cork'],
  ['Greece', 'Athens', 'Thessaloniki'], ['the Czech Republic', 'Prague', 'Brno'], ['Hungary', 'Budapest', 'Debrecen'],
  ['Romania', 'Bucharest', 'Cluj-Napoca'], ['Ukraine', 'Kyiv', 'Kharkiv'], ['Saudi Arabia', 'Riyadh', 'Jeddah'], ['Iran', 'Tehran', 'Isfahan'],
  ['Chile', 'Santiago', 'Valparaiso'], ['Peru', 'Lima', 'Cusco'], ['Colombia', 'Bogota', 'Medellin'], ['Cuba', 'Havana', 'Santiago de Cuba'],
  ['Ethiopia', 'Addis Ababa', 'Dire Dawa'], ['Ghana', 'Accra', 'Kumasi'], ['Tanzania', 'Dodoma', 'Dar es Salaam'], ['Myanmar', 'Naypyidaw', 'Yangon'],
  ['Bangladesh', 'Dhaka', 'Chittagong'], ['Malaysia', 'Kuala Lumpur', 'George Town'], ['Iceland', 'Reykjavik', 'Akureyri'],
  ['Croatia', 'Zagreb', 'Split'], ['Serbia', 'Belgrade', 'Novi Sad'], ['Bulgaria', 'Sofia', 'Plovdiv'], ['Kazakhstan', 'Astana', 'Almaty'],
  ['Ecuador', 'Quito', 'Guayaquil'], ['Jamaica', 'Kingston', 'Montego Bay'],
]

/** Unit conversions with integer factors: [from, to, factor]. */
const CONVERSIONS: readonly [string, string, number][] = [
  ['kilometres', 'metres', 1000], ['kilograms', 'grams', 1000], ['hours', 'minutes', 60], ['metres', 'centimetres', 100],
  ['litres', 'millilitres', 1000], ['minutes', 'seconds', 60], ['days', 'hours', 24], ['weeks', 'days', 7],
  ['gigabytes', 'megabytes', 1000], ['feet', 'inches', 12],
]

const NUMBER_ONLY = 'Answer with the number only.'

function numeric(id: string, category: EvalCategory, prompt: string, answer: number): EvalItem {
  return { id, category, prompt: `${prompt} ${NUMBER_ONLY}`, answer: String(answer), kind: 'number', distractors: [] }
}

/** Builds the evaluation set from a fixed seed; a draw that repeats an earlier prompt is redrawn, so prompts are unique. */
export function generateEvalSet(): EvalItem[] {
  const key = hashString('optiinfra-eval-set-v1')
  let bucket = 0
  const int = (lo: number, hi: number) => lo + Math.floor(uniform01(rngAt(key, bucket++)) * (hi - lo + 1))
  const items: EvalItem[] = []
  const seen = new Set<string>()
  const add = (make: () => EvalItem) => {
    for (;;) {
      const item = make()
      if (!seen.has(item.prompt)) { seen.add(item.prompt); items.push(item); return }
    }
  }
  for (let i = 0; i < 20; i++) {
    add(() => { const a = int(100, 999), b = int(100, 999); return numeric(`add-${i}`, 'arithmetic', `What is ${a} + ${b}?`, a + b) })
    add(() => { const c = int(12, 99), d = int(12, 99); return numeric(`mul-${i}`, 'arithmetic', `What is ${c} × ${d}?`, c * d) })
    add(() => { const e = int(500, 999), f = int(100, 499); return numeric(`sub-${i}`, 'arithmetic', `What is ${e} - ${f}?`, e - f) })
  }
  for (let i = 0; i < 50; i++) {
    const [from, to, factor] = CONVERSIONS[i % CONVERSIONS.length]!
    add(() => { const n = int(2, 95); return numeric(`conv-${i}`, 'unit_conversion', `Convert ${n} ${from} to ${to}.`, n * factor) })
  }
  for (let i = 0; i < 30; i++) {
    const pct = [5, 10, 15, 20, 25, 40, 50, 75][i % 8]!
    add(() => { const base = int(2, 60) * 20; return numeric(`pct-${i}`, 'percentage', `What is ${pct}% of ${base}?`, (pct * base) / 100) })
  }
  for (let i = 0; i < 20; i++) add(() => numeric(`sq-${i}`, 'square', `What is ${i + 11} squared?`, (i + 11) ** 2))
  for (const [country, capital, wrong] of CAPITALS) {
    add(() => ({ id: `cap-${normalise(country).replace(/ /g, '-')}`, category: 'capital', prompt: `What is the capital of ${country}? Answer with the city name only.`, answer: capital, kind: 'text', distractors: [wrong] }))
  }
  return items
}

/** Lower-case, accents and punctuation removed, whitespace collapsed. */
export function normalise(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()
}

/** The evaluation set (≥ 200 items), identical in every process. */
export const EVAL_SET: readonly EvalItem[] = Object.freeze(generateEvalSet())
const BY_PROMPT = new Map(EVAL_SET.map((i) => [i.prompt.trim(), i]))
const BY_ID = new Map(EVAL_SET.map((i) => [i.id, i]))

/** An item by id. */
export function evalItemById(id: string): EvalItem | undefined {
  return BY_ID.get(id)
}

/** The item a chat message asks, if it is one (exact prompt, or the prompt quoted inside a longer message). */
export function findEvalItem(message: string): EvalItem | undefined {
  const m = message.trim()
  return BY_PROMPT.get(m) ?? (m.length <= 400_000 ? EVAL_SET.find((i) => m.includes(i.prompt)) : undefined)
}

/** Numbers in a text ("1,234.5" → 1234.5), in order. */
export function extractNumbers(text: string): number[] {
  return [...text.matchAll(/-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0].replace(/,/g, '')))
}

/** 1 when the text answers the item correctly: last number equal (numeric), reference as whole words (text). */
export function scoreAnswer(item: EvalItem, text: string): 0 | 1 {
  if (item.kind === 'number') {
    const last = extractNumbers(text).at(-1)
    const ref = Number(item.answer)
    return last !== undefined && Math.abs(last - ref) <= 1e-9 * Math.max(1, Math.abs(ref)) ? 1 : 0
  }
  const hay = ` ${normalise(text)} `
  return hay.includes(` ${normalise(item.answer)} `) ? 1 : 0
}

/** A plausible wrong answer for the item, chosen by `u` in [0, 1): an off-by-one/ten/factor number, or a distractor city. */
export function wrongAnswer(item: EvalItem, u: number): string {
  if (item.kind === 'text') return item.distractors[Math.floor(u * item.distractors.length)] ?? 'I am not sure'
  const ref = Number(item.answer)
  const options = [ref + 1, ref - 1, ref + 10, ref - 10, ref * 10, Math.round(ref * 1.1), ref + 100]
  const pick = options[Math.floor(u * options.length)] ?? ref + 1
  return String(pick === ref ? ref + 2 : pick)
}
