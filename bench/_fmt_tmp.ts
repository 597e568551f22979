import { textNative } from '../src/native/addons.js';
const fmt = (x: number) => (x === 0 ? '0' : Number(x.toPrecision(7)).toString());
const n = textNative<any>();
const xs: number[] = [0, -0, 2 ** -11, -(2 ** -11), 0.5, -99, -100, 1e-7, -1.234567e-7, -4.5e-9, 9.9999995, 9.99999951, 0.00012345675, -0.30103, 1e-15, 1.5e-16, 123456.75, 999999.95, -2.5, 1 / 3];
for (let i = 0; i < 2_000_000; i++) { const e = Math.random() * 20 - 17; xs.push(-(10 ** e) * (Math.random() < 0.5 ? 1 : -1)); }
for (let i = 0; i < 200000; i++) { xs.push(Math.round(Math.random() * 1e8) / 2 ** Math.floor(Math.random() * 30)); }
const got: string[] = n.arpaNumbers(Float64Array.from(xs)).split('\n');
let bad = 0;
xs.forEach((x, i) => { if (got[i] !== fmt(x)) { if (bad++ < 10) console.log(x, got[i], fmt(x)); } });
console.log('checked', xs.length, 'bad', bad);
