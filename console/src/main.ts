// The console's entry: style sheet, the shell (components/app-shell.ts), and the two first
// screens — the login and the start screen — in the first bundle, so that the first screen
// needs no further round trip; every other screen is loaded when first opened.
import './styles.css';
import './components/app-shell';
import './pages/login-page';
import './pages/home-page';
