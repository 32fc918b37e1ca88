/**
 * The CloudTrail table AWS documents for Athena ("Create the table for CloudTrail logs in Athena using partition
 * projection"), with the bucket and prefix filled in. The column names are what the generated queries rely on.
 */
export interface DdlOptions {
  readonly database: string;
  readonly table: string;
  readonly bucket: string;
  /** Key prefix of one trail's region folder, e.g. `AWSLogs/111122223333/CloudTrail/eu-west-1`. */
  readonly prefix: string;
  /** First day of the projected range, `yyyy/MM/dd`. */
  readonly projectionStart: string;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Athena DDL (Hive) wants backquoted identifiers. */
function hiveIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

export function cloudTrailTableDdl(options: DdlOptions): string {
  const prefix = options.prefix.replace(/^\/+|\/+$/g, '');
  const location = `s3://${options.bucket}/${prefix === '' ? '' : `${prefix}/`}`;
  const quote = (text: string): string => `'${text.replace(/'/g, "\\'")}'`;
  return `CREATE EXTERNAL TABLE ${hiveIdentifier(options.database)}.${hiveIdentifier(options.table)} (
    eventversion STRING,
    useridentity STRUCT<
        type: STRING,
        principalid: STRING,
        arn: STRING,
        accountid: STRING,
        invokedby: STRING,
        accesskeyid: STRING,
        username: STRING,
        onbehalfof: STRUCT<
            userid: STRING,
            identitystorearn: STRING>,
        sessioncontext: STRUCT<
            attributes: STRUCT<
                mfaauthenticated: STRING,
                creationdate: STRING>,
            sessionissuer: STRUCT<
                type: STRING,
                principalid: STRING,
                arn: STRING,
                accountid: STRING,
                username: STRING>,
            ec2roledelivery: STRING,
            webidfederationdata: STRUCT<
                federatedprovider: STRING,
                attributes: MAP<STRING,STRING>>
        >
    >,
    eventtime STRING,
    eventsource STRING,
    eventname STRING,
    awsregion STRING,
    sourceipaddress STRING,
    useragent STRING,
    errorcode STRING,
    errormessage STRING,
    requestparameters STRING,
    responseelements STRING,
    additionaleventdata STRING,
    requestid STRING,
    eventid STRING,
    readonly STRING,
    resources ARRAY<STRUCT<
        arn: STRING,
        accountid: STRING,
        type: STRING>>,
    eventtype STRING,
    apiversion STRING,
    recipientaccountid STRING,
    serviceeventdetails STRING,
    sharedeventid STRING,
    vpcendpointid STRING,
    vpcendpointaccountid STRING,
    eventcategory STRING,
    addendum STRUCT<
        reason: STRING,
        updatedfields: STRING,
        originalrequestid: STRING,
        originaleventid: STRING>,
    sessioncredentialfromconsole STRING,
    edgedevicedetails STRING,
    tlsdetails STRUCT<
        tlsversion: STRING,
        ciphersuite: STRING,
        clientprovidedhostheader: STRING>
)
PARTITIONED BY (
    \`timestamp\` STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION ${quote(location)}
TBLPROPERTIES (
    'projection.enabled'='true',
    'projection.timestamp.format'='yyyy/MM/dd',
    'projection.timestamp.interval'='1',
    'projection.timestamp.interval.unit'='DAYS',
    'projection.timestamp.range'=${quote(`${options.projectionStart},NOW`)},
    'projection.timestamp.type'='date',
    'storage.location.template'=${quote(`${location}\${timestamp}`)}
);
`;
}
