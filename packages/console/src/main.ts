import './page.css'
import './app.ts'
