// parquet-duckdb.mjs - DuckDB (npm @duckdb/node-api) for tests/t_parquet.sh.
// Run from a directory whose node_modules holds the package:
//   node parquet-duckdb.mjs sql SQL        rows of SQL, tab-separated,
//                                         NULL as \N (values as DuckDB casts
//                                         them to VARCHAR)
//   node parquet-duckdb.mjs stats FILE...  each file's statistics (footer)
//                                         against the values DuckDB reads:
//                                         prints one line per mismatch and
//                                         "checked N" at the end
import { DuckDBInstance } from '@duckdb/node-api';

const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();

async function rows(sql) {
	const r = await con.runAndReadAll(sql);
	return r.getRows().map((row) =>
		row.map((v) => (v === null ? null : String(v))));
}

function q(s) {
	return "'" + s.replace(/'/g, "''") + "'";
}

function qi(s) {
	return '"' + s.replace(/"/g, '""') + '"';
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'sql') {
	for (const row of await rows(args[0]))
		process.stdout.write(row.map((v) => (v === null ? '\\N' : v)).join('\t') + '\n');
} else if (mode === 'stats') {
	let checked = 0;
	for (const f of args) {
		const meta = await rows(`SELECT row_group_id, row_group_num_rows,
		    path_in_schema, stats_min_value, stats_max_value,
		    stats_null_count FROM parquet_metadata(${q(f)})
		    ORDER BY row_group_id, column_id`);
		const cols = [...new Set(meta.map((m) => m[2]))];
		// Row group of each row: rows are in order, groups consecutive.
		const sizes = new Map();
		for (const m of meta) sizes.set(Number(m[0]), Number(m[1]));
		let bounds = [], at = 0;
		for (const [g, n] of [...sizes].sort((a, b) => a[0] - b[0])) {
			bounds.push(`WHEN file_row_number < ${at + n} THEN ${g}`);
			at += n;
		}
		if (!bounds.length)
			continue;
		const aggs = cols.map((c) => `min(${qi(c)})::VARCHAR,
		    max(${qi(c)})::VARCHAR, (count(*) - count(${qi(c)}))::VARCHAR`);
		const got = await rows(`SELECT CASE ${bounds.join(' ')} END AS rg,
		    count(*)::VARCHAR, ${aggs.join(', ')} FROM read_parquet(${q(f)},
		    file_row_number = true, hive_partitioning = false)
		    GROUP BY rg ORDER BY rg`);
		for (const g of got) {
			const rg = Number(g[0]);
			if (Number(g[1]) !== sizes.get(rg))
				console.log(`${f}: row group ${rg}: ${g[1]} rows, footer ${sizes.get(rg)}`);
			cols.forEach((c, i) => {
				const m = meta.find((x) => Number(x[0]) === rg && x[2] === c);
				const want = [g[2 + 3 * i], g[3 + 3 * i], g[4 + 3 * i]];
				const have = [m[3], m[4], m[5]];
				for (let k = 0; k < 3; k++)
					if (want[k] !== have[k])
						console.log(`${f}: row group ${rg} ${c}: ${['min', 'max', 'null_count'][k]} ${JSON.stringify(have[k])} in the footer, ${JSON.stringify(want[k])} in the data`);
				checked++;
			});
		}
	}
	console.log(`checked ${checked}`);
} else {
	console.error('usage: parquet-duckdb.mjs sql SQL | stats FILE...');
	process.exit(2);
}
