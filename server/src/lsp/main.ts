import { startServer } from './server.js';

startServer();
