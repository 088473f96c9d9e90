// RFC 4180 CSV and spreadsheet TSV from Arrow results.
import { tableFromJSON } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { csvField, toCsv, toTsv } from './csv.ts';

describe('CSV export', () => {
  it('quotes only what RFC 4180 requires, and tells NULL from an empty string', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(12.5)).toBe('12.5');
    expect(csvField(true)).toBe('true');
    expect(csvField({ a: [1, 'x,y'] })).toBe('"{""a"":[1,""x,y""]}"');
  });

  it('writes CRLF records with a header, in the grid’s sorted order when given', () => {
    const table = tableFromJSON([
      { id: 1, name: 'x' },
      { id: 2, name: null },
    ]);
    expect(toCsv(table, ['id', 'name'])).toBe('id,name\r\n1,x\r\n2,\r\n');
    expect(toCsv(table, ['id', 'name'], Uint32Array.from([1, 0]))).toBe('id,name\r\n2,\r\n1,x\r\n');
    expect(toCsv(table, ['id', 'a "quoted" name'])).toBe('id,"a ""quoted"" name"\r\n1,x\r\n2,\r\n');
  });

  it('copies rows as tab-separated text without stray tabs or newlines', () => {
    expect(toTsv([['a\tb', null, 'c\nd', 3]])).toBe('a b\t\tc d\t3');
  });
});
