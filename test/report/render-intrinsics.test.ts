import { intrinsicName, referencedLogicalIds, renderList, renderValue } from '../../src/report/render-intrinsics';

describe('renderValue', () => {
  it('renders Ref, pseudo parameters and Fn::GetAtt (both forms) with logical ids', () => {
    expect(renderValue({ Ref: 'AlertTopic3B8349F7' })).toBe('${AlertTopic3B8349F7}');
    expect(renderValue({ Ref: 'AWS::Region' })).toBe('${AWS::Region}');
    expect(renderValue({ 'Fn::GetAtt': ['AlertKeyEA89637F', 'Arn'] })).toBe('${AlertKeyEA89637F.Arn}');
    expect(renderValue({ 'Fn::GetAtt': 'Queue.QueueName' })).toBe('${Queue.QueueName}');
  });

  it('concatenates Fn::Join parts, nested intrinsics included, with the delimiter', () => {
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] };
    expect(renderValue(arn)).toBe('arn:${AWS::Partition}:iam::${AWS::AccountId}:root');
    expect(renderValue({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/alerts/*']] })).toBe('${Bucket.Arn}/alerts/*');
    expect(renderValue({ 'Fn::Join': [',', ['a', { Ref: 'B' }]] })).toBe('a,${B}');
  });

  it('keeps Fn::Sub templates and substitutes its variable map', () => {
    expect(renderValue({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}' })).toBe('arn:${AWS::Partition}:s3:::${Bucket}');
    expect(renderValue({ 'Fn::Sub': ['${Name}-x-${Other}', { Name: { Ref: 'Topic' } }] })).toBe('${Topic}-x-${Other}');
  });

  it('renders other functions as calls and plain values as they are', () => {
    expect(renderValue({ 'Fn::Select': [0, { 'Fn::Split': ['/', { Ref: 'X' }] }] })).toBe('Fn::Select(0, Fn::Split(/, ${X}))');
    expect(renderValue({ 'Fn::ImportValue': 'shared-topic' })).toBe('Fn::ImportValue(shared-topic)');
    expect(renderValue({ 'Fn::If': ['IsProd', 'a', { Ref: 'AWS::NoValue' }] })).toBe('Fn::If(IsProd, a, ${AWS::NoValue})');
    expect(renderValue('*')).toBe('*');
    expect(renderValue(14)).toBe('14');
    expect(renderValue(false)).toBe('false');
    expect(renderValue(['a', { Ref: 'B' }])).toBe('a, ${B}');
    expect(renderValue({ deadLetterTargetArn: { 'Fn::GetAtt': ['Q', 'Arn'] } })).toBe('{ deadLetterTargetArn: ${Q.Arn} }');
  });

  it('lists single values and arrays alike', () => {
    expect(renderList('sns:Publish')).toEqual(['sns:Publish']);
    expect(renderList(['a', { Ref: 'B' }])).toEqual(['a', '${B}']);
    expect(renderList(undefined)).toEqual([]);
  });
});

describe('intrinsic helpers', () => {
  it('recognizes intrinsics only as single-key objects', () => {
    expect(intrinsicName({ Ref: 'X' })).toBe('Ref');
    expect(intrinsicName({ 'Fn::Join': ['', []] })).toBe('Fn::Join');
    expect(intrinsicName({ Ref: 'X', Other: 1 })).toBeUndefined();
    expect(intrinsicName({ Service: 'sns.amazonaws.com' })).toBeUndefined();
    expect(intrinsicName('x')).toBeUndefined();
  });

  it('collects referenced logical ids, not pseudo parameters', () => {
    const value = { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, { Ref: 'AWS::Region' }, { Ref: 'Topic' }, { 'Fn::Sub': '${Key.Arn}/${AWS::AccountId}' }]] };
    expect(referencedLogicalIds(value).sort()).toEqual(['Bucket', 'Key', 'Topic']);
  });
});
