import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import schema from '../media/schemas/kafka-collection.schema.json';
const data = JSON.parse(readFileSync('/tmp/kw/many.kafka.json', 'utf8'));
const v = new Ajv({ allErrors: true, verbose: true, strict: false }).compile(schema);
const t = performance.now(); v(data); console.log(process.execArgv.join(' ').slice(-40), 'cold', (performance.now() - t).toFixed(1));
