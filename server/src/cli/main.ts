import { main } from './omadm.js';

process.exitCode = main(process.argv.slice(2));
