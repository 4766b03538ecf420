import { describe, expect, it } from 'vitest'
import { EVAL_SET, evalItemById, generateEvalSet, extractNumbers, findEvalItem, normalise, scoreAnswer, wrongAnswer } from './eval-set.ts'

describe('evaluation set', () => {
  it('has at least 200 unique items across five categories, with correct numeric references', () => {
    expect(EVAL_SET.length).toBeGreaterThanOrEqual(200)
    expect(new Set(EVAL_SET.map((i) => i.id)).size).toBe(EVAL_SET.length)
    expect(new Set(EVAL_SET.map((i) => i.prompt)).size).toBe(EVAL_SET.length)
    expect(new Set(EVAL_SET.map((i) => i.category))).toEqual(new Set(['arithmetic', 'unit_conversion', 'percentage', 'square', 'capital']))
    for (const item of EVAL_SET.filter((i) => i.category === 'arithmetic')) {
      const m = /What is (\d+) ([+×-]) (\d+)\?/.exec(item.prompt)!
      const [a, b] = [Number(m[1]), Number(m[3])]
      expect(Number(item.answer)).toBe(m[2] === '+' ? a + b : m[2] === '-' ? a - b : a * b)
    }
    expect(evalItemById('cap-australia')).toMatchObject({ answer: 'Canberra', distractors: ['Sydney'] })
  })

  it('is identical on every generation (fixed seed)', () => {
    expect(generateEvalSet()).toEqual(EVAL_SET)
  })

  it('scores numbers by the last number in the answer and text by whole words, ignoring case and accents', () => {
    const add = EVAL_SET.find((i) => i.id === 'add-0')!
    expect(scoreAnswer(add, add.answer)).toBe(1)
    expect(scoreAnswer(add, `The sum is ${Number(add.answer).toLocaleString('en-US')}.`)).toBe(1)
    expect(scoreAnswer(add, `${add.answer} - no wait, ${Number(add.answer) + 1}`)).toBe(0)
    expect(scoreAnswer(add, 'I do not know')).toBe(0)
    const cap = evalItemById('cap-brazil')!
    expect(scoreAnswer(cap, 'Brasília.')).toBe(1)
    expect(scoreAnswer(cap, 'Rio de Janeiro')).toBe(0)
    expect(scoreAnswer(evalItemById('cap-romania')!, 'cluj napoca')).toBe(0)
    expect(normalise('  Ho Chi Minh City! ')).toBe('ho chi minh city')
    expect(extractNumbers('1,234.5 and -7')).toEqual([1234.5, -7])
  })

  it('gives plausible wrong answers that always score 0', () => {
    for (const item of EVAL_SET) {
      for (const u of [0, 0.3, 0.6, 0.99]) expect(scoreAnswer(item, wrongAnswer(item, u))).toBe(0)
    }
  })

  it('finds an item by its exact prompt or inside a longer message', () => {
    const item = EVAL_SET[42]!
    expect(findEvalItem(item.prompt)).toBe(item)
    expect(findEvalItem(`Please help.\n${item.prompt}\nThanks`)).toBe(item)
    expect(findEvalItem('Tell me a story')).toBeUndefined()
  })
})
