/**
 * Quick throughput check for normalizeName (target ≥ 100,000 names/s). Not a test: timings
 * depend on the machine. Run: node --import tsx src/normalize/name-throughput.check.ts
 */
import { normalizeName } from './name.js';

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温单解仇区朴查';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥建文辉力国志鹏宇浩然子涵欣怡梓轩雨晨思远俊杰偉麗華國';

const N = 300_000;
const names: string[] = [];
for (let i = 0; i < N; i++) {
  const s = SURNAMES[i % SURNAMES.length] ?? '';
  const g1 = GIVEN[(i * 7) % GIVEN.length] ?? '';
  const g2 = i % 3 === 0 ? '' : (GIVEN[(i * 13 + 5) % GIVEN.length] ?? '');
  names.push(i % 50 === 0 ? `欧阳${g1}${g2}` : `${s}${g1}${g2}`);
}

normalizeName('張偉'); // build the converters and load pinyin data outside the timing
const start = performance.now();
let checksum = 0;
for (const name of names) checksum += normalizeName(name)?.pinyinKey.length ?? 0;
const seconds = (performance.now() - start) / 1000;
const rate = Math.round(N / seconds);
console.log(`normalizeName: ${rate.toLocaleString('en')} names/s (${N} names, checksum ${checksum})`);
if (rate < 100_000) process.exitCode = 1;
