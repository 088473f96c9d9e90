// parquet-wasm for Node (tests, the headless engine): its Node build instantiates itself on import.
import * as parquet from 'parquet-wasm/node';

export type ParquetWasm = Pick<typeof parquet, 'ParquetFile'>;

export function parquetWasm(): Promise<ParquetWasm> {
  return Promise.resolve(parquet);
}
