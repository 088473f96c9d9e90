// Durations as settings take them ("15m") and as ages are shown ("2h 15m"), for the engine and the UI alike.
import { describe, expect, it } from 'vitest';
import { durationProblem, humanDuration, parseDuration } from './duration.ts';

describe('humanDuration', () => {
  it('renders seconds the way the original prints ages', () => {
    expect(humanDuration(45)).toBe('45s');
    expect(humanDuration(5 * 60 + 10)).toBe('5m');
    expect(humanDuration(2 * 3600 + 15 * 60)).toBe('2h 15m');
    expect(humanDuration(3600)).toBe('1h');
    expect(humanDuration(3 * 86400 + 4 * 3600)).toBe('3d 4h');
    expect(humanDuration(59.9)).toBe('59s');
    expect(humanDuration(-5)).toBe('0s');
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['15m', 900],
    [' 1H ', 3600],
    ['1d', 86400],
    ['90', 90],
    ['1.5h', 5400],
  ])('%s → %i s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['', 'soon', '1x', '-5m', 'm'])('rejects %j', (text) => expect(parseDuration(text)).toBeNull());
});

describe('durationProblem', () => {
  it('names the setting and the bad value, or says nothing for a good one', () => {
    expect(durationProblem('sync interval', '15m')).toBeNull();
    expect(durationProblem('sync interval', 'often')).toBe(
      "Invalid sync interval 'often': expected a number followed by s, m, h or d (e.g. '30s', '15m', '1h', '1d').",
    );
    expect(durationProblem('freshness threshold', '0m')).toBe(
      "Freshness threshold must be positive, got: '0m'",
    );
  });
});
