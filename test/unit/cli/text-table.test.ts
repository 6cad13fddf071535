import { describe, expect, it } from 'vitest'
import { cellSafe } from '../../../src/cli/text-table.js'

describe('cellSafe', () => {
  it('cuts a long text at its end, or in its middle so names that differ at the end still do', () => {
    expect(cellSafe('short', 32)).toBe('short')
    expect(cellSafe('a\nb', 32)).toBe('a\\nb')
    expect(cellSafe('x'.repeat(40), 10)).toBe('xxxxxxxxx…')
    const front = cellSafe('measurement_of_the_temperature_at_sensor_front', 32, 'middle')
    const rear = cellSafe('measurement_of_the_temperature_at_sensor_rear', 32, 'middle')
    expect(front).toBe('measurement_of_t…at_sensor_front')
    expect(rear).toBe('measurement_of_t…_at_sensor_rear')
    expect(Array.from(front)).toHaveLength(32)
  })
})
