import { it } from 'vitest';
import { memoryDB } from './testing.ts';
import { loadSampleData } from './sample/load.ts';
it('time', async () => {
  const db = memoryDB();
  await db.conn;
  let t = performance.now();
  await loadSampleData(db);
  console.log('load', performance.now() - t);
  t = performance.now();
  await db.updateTableMetadata('stripe', 'stripe');
  console.log('meta', performance.now() - t);
  console.log(
    await db.query(
      "select table_name, count(*) n from information_schema.columns where table_schema in ('stripe','hubspot') group by all order by n desc",
    ),
  );
  await db.close();
}, 60000);
