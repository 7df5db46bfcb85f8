// Progressive enhancement only: every journey works without JavaScript.
import { initAll } from './build/govuk-frontend.min.js'

initAll()
