import { computeCheckChar } from '../normalize/index.js';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇', '艳', '杰', '涛', '明', '超', '秀', '霞'];

/**
 * A plain police export of `rows` synthetic people, for tests that need volume rather than
 * realism (the fixture generator makes the realistic districts).
 */
export function syntheticPoliceCsv(rows: number, seed = 1): string {
  const lines = ['户号,与户主关系,姓名,性别,民族,出生日期,公民身份号码,住址,人员状态'];
  for (let i = 0; i < rows; i++) {
    const n = i * 7919 + seed;
    const year = 1940 + (n % 80);
    const month = 1 + (n % 12);
    const day = 1 + (n % 28);
    const birth = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
    const sequence = String(i % 1000).padStart(3, '0');
    const first17 = `410105${birth}${sequence}`;
    const id = first17 + computeCheckChar(first17);
    const name = SURNAMES[n % SURNAMES.length]! + GIVEN[(n >> 3) % GIVEN.length]! + GIVEN[(n >> 7) % GIVEN.length]!;
    const sex = Number(sequence[2]) % 2 === 1 ? '男' : '女';
    lines.push(`H${String(Math.floor(i / 3)).padStart(6, '0')},户主,${name},${sex},汉族,${birth},${id},河南省郑州市金水区北大街道西湖社区纬五路${i % 90}号,正常`);
  }
  return lines.join('\r\n') + '\r\n';
}
