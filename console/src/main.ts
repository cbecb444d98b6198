// The console's entry: language, session, and the shell (components/app-shell.ts).
import './styles.css';
import './components/app-shell';
