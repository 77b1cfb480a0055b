// Runs one guided-setup action as whoever runs this file, through the same service the app's
// Setup view calls (so the real @vscode/sudo-prompt → pkexec → setup script path), and prints
// its result as JSON. Used by the pkexec end-to-end test as a non-root user.
import { createSetup } from '../../src/main/setup/service'

const action = process.argv[2]
const setup = createSetup()
const result =
  action === 'apply' ? await setup.apply() : action === 'undo' ? await setup.undo() : action === 'plan' ? await setup.plan() : await setup.diagnose()
process.stdout.write(JSON.stringify(result) + '\n')
