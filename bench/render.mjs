// Markdown tables of bench/results/latest.json for the README.
const fmt = (v) => (v === null || v === undefined ? '–' : typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-US') : String(v)) : String(v))
const ok = (v) => (v === true ? 'yes' : v === false ? '**no**' : '–')

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(fmt).join(' | ')} |`)].join('\n')
}

export function renderBenchTables(report) {
  const out = []
  const s = report.suites ?? {}
  const when = (name) => (s[name] ? ` (${s[name].date.slice(0, 10)}, ${s[name].cpus} cores, Node ${s[name].node}${s[name].quick ? ', quick' : ''})` : '')
  if (s['data-load']) {
    out.push(`**CSV load**${when('data-load')}`, '', table(['rows x cols', 'file MB', 'seconds', 'rows/s', 'peak RSS MB', 'goal', 'met'], s['data-load'].results.map((r) => [`${fmt(r.rows)} x ${r.cols}`, r.fileMB, r.seconds.toFixed(1), r.rowsPerSecond, r.peakRssMB, r.goal, ok(r.pass)])), '')
  }
  if (s.learners) {
    out.push(`**Learners vs scikit-learn** (same CSV, split and hyperparameters)${when('learners')}`, '', table(['fit', 'rows x cols', 'ours s', 'sklearn s', 'ratio', 'goal', 'accuracy ours / sklearn', 'IR predict rows/s', 'met'], s.learners.results.map((r) => [r.name, `${fmt(r.rows)} x ${r.cols}`, r.fitSeconds, r.sklearnFitSeconds, r.timeRatio, r.goalRatio === null ? '–' : `<= ${r.goalRatio}x`, `${r.accuracy} / ${fmt(r.sklearnAccuracy)}`, r.predictRowsPerSecond, ok(r.pass)])), '')
  }
  if (s.scorer) {
    out.push(`**Generated scorer vs IR evaluator** (records/s, one record at a time, one core)${when('scorer')}`, '', table(['model', 'printed as', 'scorer rows/s', 'evaluator rows/s', 'goal', 'met', 'tsc ms'], s.scorer.results.map((r) => [r.name.replace('scorer ', ''), r.layout.split(' (')[0], r.scorerRowsPerSecond, r.evaluatorRowsPerSecond, r.goalRowsPerSecond ?? '–', ok(r.pass), r.tscMs])), '')
  }
  if (s.serve) {
    const pair = (a, b) => (a === null || a === undefined ? '–' : `${a} / ${b}`)
    out.push(
      `**serve vs pass-through** (messages/s on the local broker, same 2 cores; median of the rounds)${when('serve')}`,
      '',
      table(
        ['run', 'msg/s', 'ratio (paired median)', 'batch ms p50 / p99', 'score us p50 / p99', 'CPU us/msg: process / broker', 'goal', 'met'],
        s.serve.results.map((r) => [r.name.replace('serve ', ''), r.messagesPerSecond, r.ratioToPassthrough === null || r.ratioToPassthrough === undefined ? '–' : `${r.ratioToPassthrough} (${r.pairedRatioMedian ?? '–'})`, pair(r.batchMsP50, r.batchMsP99), pair(r.scoreUsP50, r.scoreUsP99), pair(r.processCpuUsPerMessage, r.brokerCpuUsPerMessage), r.goalRatio === null || r.goalRatio === undefined ? '–' : `>= ${r.goalRatio}`, ok(r.pass)]),
      ),
      '',
    )
  }
  if (s.automl) {
    out.push(`**AutoML vs scikit-learn grid search** (test score of the winner)${when('automl')}`, '', table(['dataset', 'rows x cols', 'metric', 'mlkafka (winner, trials)', 'scikit-learn (winner)', 'run s / grid s', 'at least as good'], s.automl.results.map((r) => [r.name.replace('automl ', ''), `${r.rows} x ${r.cols}`, r.metric, `${r.testScore} (${r.winner}, ${r.trials})`, `${r.sklearnTestScore} (${r.sklearnWinner})`, `${r.runSeconds} / ${r.sklearnGridSeconds}`, ok(r.pass)])), '')
  }
  const studies = [
    ['automl-study', (n) => `**AutoML on ${n} held-out splits** (\`--suite automl-study\``],
    ['automl-real', (n) => `**AutoML on ${n} real tables from R packages** (\`--suite automl-real\`, one held-out split each`],
    ['automl-fresh', (n) => `**AutoML on ${n} more real tables, held out until session 10** (\`--suite automl-fresh\`, one held-out split each`],
    ['automl-fresh2', (n) => `**AutoML on ${n} more real tables, held out until session 15** (\`--suite automl-fresh2\`, one held-out split each`],
    ['automl-fresh3', (n) => `**AutoML on ${n} more real tables, held out until session 17** (\`--suite automl-fresh3\`, one held-out split each`],
    ['automl-fresh4', (n) => `**AutoML on ${n} more real tables, held out until session 19** (\`--suite automl-fresh4\`, one held-out split each`],
    ['automl-fresh5', (n) => `**AutoML on ${n} more real tables, held out until session 22** (\`--suite automl-fresh5\`, one held-out split each`],
    ['automl-fresh6', (n) => `**AutoML on ${n} more real tables, held out until session 23** (\`--suite automl-fresh6\`, one held-out split each`],
    ['automl-fresh7', (n) => `**AutoML on ${n} more real tables, held out until session 24** (\`--suite automl-fresh7\`, one held-out split each`],
  ]
  for (const [suite, title] of studies) {
    if (!s[suite]) continue
    const rows = s[suite].results
    const passes = (key) => `${rows.filter((r) => r[key]).length} of ${rows.length}`
    out.push(
      `${title(rows.length)}; winner's test score vs scikit-learn's grid-searched best; ensemble winners: ${passes('pass')} at least as good, their best single models: ${passes('singlePass')})${when(suite)}`,
      '',
      table(
        ['split', 'rows x cols', 'metric', 'mlkafka (winner)', 'best single model', 'scikit-learn (winner)', 'at least as good'],
        rows.map((r) => [r.name, `${r.rows} x ${r.cols}`, r.metric, `${r.testScore} (${r.winner})`, r.winner === 'ensemble' ? `${r.singleTestScore} (${r.singleWinner})` : '–', `${r.sklearnTestScore} (${r.sklearnWinner})`, ok(r.pass)]),
      ),
      '',
    )
  }
  return out.join('\n').trimEnd()
}
