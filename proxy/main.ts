// `npm start` entry: reads the environment, serves the app, API and relay on HOST:PORT, and prints the URL.
import { launch } from './launch.ts';

if (!(await launch(process.env))) process.exit(1);
