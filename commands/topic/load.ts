import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { kafkaClientFromFlags, kafkaConnectionFlags, sayBrokerSilence, topicProgress } from '../../src/cli/kafka-flags.js'
import { csvFileOf, DELIMITER_HELP, readCsvFromFlags } from '../../src/cli/table-source.js'
import { checkTopicName } from '../../src/kafka/topic-names.js'
import { UsageError } from '../../src/errors.js'
import { loadTableIntoTopic, type LoadTableResult } from '../../src/kafka/table-loader.js'

export default class TopicLoad extends BaseCommand {
  static override description =
    'Produce the rows of a CSV file to a Kafka topic, one JSON object per row (numbers as numbers, booleans as booleans, missing values as null, categories as strings). Creates the topic when it is missing; appends to it otherwise.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> examples/car-sensors.csv --topic car-sensors --brokers 127.0.0.1:9092',
    '<%= config.bin %> <%= command.id %> examples/car-sensors.csv --topic car-sensors --partitions 3 --key car_id',
    'KAFKA_BROKERS=kafka:9093 <%= config.bin %> <%= command.id %> data.csv --topic events --kafka-config kafka.json --json',
  ]

  static override enableJsonFlag = true

  static override args = {
    file: Args.string({ description: 'CSV file to load (header row required); or give it as --csv FILE', ignoreStdin: true }),
  }

  static override flags = {
    csv: Flags.string({ description: 'CSV file to load: the same as FILE (as `automl train` and `predict` take it)' }),
    topic: Flags.string({ description: 'topic to produce to (created when missing)', required: true }),
    ...kafkaConnectionFlags,
    key: Flags.string({ description: "column whose text becomes each message's key (rows with the same key go to the same partition)" }),
    partitions: Flags.integer({ description: 'partitions of the topic when it is created', default: 1, min: 1, max: 10_000 }),
    delimiter: Flags.string({ char: 'd', description: DELIMITER_HELP }),
  }

  async run(): Promise<LoadTableResult & { file: string }> {
    const { args, flags, metadata } = await this.parse(TopicLoad)
    const file = csvFileOf(args.file, flags.csv)
    if (file === undefined) throw new UsageError('pass the CSV FILE to load (or --csv FILE)')
    checkTopicName('--topic', flags.topic)
    // Dates go to the topic as the text they are (a snapshot of it reads them as dates again).
    const table = await readCsvFromFlags(file, flags.delimiter, { isoDates: false })
    const client = await kafkaClientFromFlags(flags)
    const progress = topicProgress(`loading into topic ${flags.topic}`)
    sayBrokerSilence(client, 'topic load')
    let result: LoadTableResult
    try {
      result = await loadTableIntoTopic({ client, table, topic: flags.topic, partitions: flags.partitions, key: flags.key, onProgress: progress.update })
    } finally {
      progress.end()
      await client.close()
    }
    if (!this.jsonEnabled()) {
      const parts = `${result.partitions} partition${result.partitions === 1 ? '' : 's'}`
      this.log(`loaded ${result.rows} rows from ${file} into topic ${result.topic} (${parts}) in ${(result.ms / 1000).toFixed(1)} s`)
      if (!result.created && result.messagesBefore > 0) {
        process.stderr.write(`note: topic ${result.topic} already held ${result.messagesBefore} messages; the rows were appended after them\n`)
      }
      if (!result.created && result.partitions !== flags.partitions && metadata.flags.partitions?.setFromDefault !== true) {
        process.stderr.write(`note: topic ${result.topic} already existed with ${parts}; --partitions ${flags.partitions} applies only when it is created\n`)
      }
    }
    return { file, ...result }
  }
}
