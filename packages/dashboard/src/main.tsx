import { render } from 'preact';
import { sessionKeyStorage } from './api/key-storage.js';
import { App } from './app.js';
import './styles.css';

render(<App keys={sessionKeyStorage()} />, document.getElementById('app')!);
