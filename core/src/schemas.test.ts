import { describe, expect, it } from 'vitest';
import { ServiceError } from './errors.ts';
import { jobSchema, profileSchema, signUpSchema } from './schemas.ts';
import { validate } from './validate.ts';

/**
 * The input schemas as the pages use them: what an HTML form sends (strings, lists as text,
 * checkbox groups as one value or many) in, typed values or per-field codes out. The codes are
 * what `validate` puts on a ServiceError and what the pages translate.
 */
function codes(schema: Parameters<typeof validate>[0], input: unknown): Record<string, string> {
  try {
    validate(schema, input);
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    expect((e as ServiceError).code).toBe('INVALID');
    return (e as ServiceError).fields;
  }
  return {};
}

const long = (n: number) => 'x'.repeat(n);
const HTML = '<script>alert("hi")</script><b onclick="x()">bold</b> & ';

describe('sign-up', () => {
  const seeker = { name: 'Li Ming', email: 'li@example.com', password: 'correct horse', role: 'seeker' };
  const employer = { ...seeker, role: 'employer', employerName: 'Xinghe Tech' };

  it('passes a valid seeker and a valid employer, trimmed', () => {
    expect(validate(signUpSchema, { ...seeker, name: '  Li Ming ', email: ' li@example.com ' })).toEqual({
      name: 'Li Ming',
      email: 'li@example.com',
      password: 'correct horse',
      role: 'seeker',
    });
    expect(validate(signUpSchema, employer)).toMatchObject({ role: 'employer', employerName: 'Xinghe Tech' });
  });

  it('refuses each field with its own code', () => {
    expect(codes(signUpSchema, { ...seeker, name: '' })).toEqual({ name: 'required' });
    expect(codes(signUpSchema, { ...seeker, name: '   ' })).toEqual({ name: 'required' });
    expect(codes(signUpSchema, { ...seeker, name: long(81) })).toEqual({ name: 'too_long' });
    expect(codes(signUpSchema, { ...seeker, email: '' })).toEqual({ email: 'required' });
    expect(codes(signUpSchema, { ...seeker, email: 'li.example.com' })).toEqual({ email: 'email' });
    expect(codes(signUpSchema, { ...seeker, email: `${long(195)}@example.com` })).toEqual({ email: 'too_long' });
    expect(codes(signUpSchema, { ...seeker, password: 'short12' })).toEqual({ password: 'password_short' });
    expect(codes(signUpSchema, { ...seeker, password: long(129) })).toEqual({ password: 'too_long' });
    expect(codes(signUpSchema, { ...seeker, role: '' })).toEqual({ role: 'required' });
    expect(codes(signUpSchema, { ...employer, employerName: '' })).toEqual({ employerName: 'required' });
    expect(codes(signUpSchema, { ...employer, employerName: '   ' })).toEqual({ employerName: 'required' });
    expect(codes(signUpSchema, { ...employer, employerName: long(121) })).toEqual({ employerName: 'too_long' });
  });

  it('never lets a form choose a staff role', () => {
    expect(codes(signUpSchema, { ...seeker, role: 'organizer' })).toEqual({ role: 'required' });
    expect(codes(signUpSchema, { ...seeker, role: 'admin' })).toEqual({ role: 'required' });
  });

  it('reports every bad field at once, the first problem of each', () => {
    expect(codes(signUpSchema, { name: '', email: 'nope', password: '1', role: 'employer' })).toEqual({
      name: 'required',
      email: 'email',
      password: 'password_short',
      employerName: 'required',
    });
  });

  it('keeps HTML as plain text', () => {
    expect(validate(signUpSchema, { ...employer, name: HTML.trim(), employerName: '<i>Acme</i>' })).toMatchObject({
      name: HTML.trim(),
      employerName: '<i>Acme</i>',
    });
  });
});

describe('seeker profile', () => {
  /** What the profile form sends when only the name is filled in. */
  const blankForm = {
    name: 'Li Ming',
    headline: '',
    skills: '',
    yearsExperience: '',
    education: '',
    salaryMin: '',
    salaryMax: '',
    currency: 'CNY',
    locations: '',
    jobTypes: [],
    languages: '',
    resumeText: '',
  };

  it('passes a blank form with defaults (nothing but the name is required)', () => {
    expect(validate(profileSchema, blankForm)).toEqual({
      name: 'Li Ming',
      headline: '',
      skills: [],
      yearsExperience: 0,
      education: '',
      currency: 'CNY',
      locations: [],
      jobTypes: [],
      languages: [],
      resumeText: '',
    });
    expect(validate(profileSchema, { name: 'Li Ming' })).toMatchObject({ currency: 'CNY', yearsExperience: 0, jobTypes: [] });
  });

  it('passes a full form and turns its text into typed values', () => {
    const profile = validate(profileSchema, {
      ...blankForm,
      headline: ' Frontend developer ',
      skills: 'TypeScript, Svelte',
      yearsExperience: ' 3 ',
      education: 'Zhejiang University, 2022',
      salaryMin: '8000',
      salaryMax: '12000',
      currency: 'HKD',
      locations: 'Hangzhou\nShanghai',
      jobTypes: ['full_time', 'gig'],
      languages: '中文、English',
      resumeText: 'Line one\nLine two',
    });
    expect(profile).toEqual({
      name: 'Li Ming',
      headline: 'Frontend developer',
      skills: ['TypeScript', 'Svelte'],
      yearsExperience: 3,
      education: 'Zhejiang University, 2022',
      salaryMin: 8000,
      salaryMax: 12000,
      currency: 'HKD',
      locations: ['Hangzhou', 'Shanghai'],
      jobTypes: ['full_time', 'gig'],
      languages: ['中文', 'English'],
      resumeText: 'Line one\nLine two',
    });
  });

  it('splits lists on commas, full-width commas, 、 and new lines; trims, drops blanks and repeats', () => {
    const { skills } = validate(profileSchema, { name: 'x', skills: ' Go, SQL\nVue、Excel，Python,, ,Go\r\n' });
    expect(skills).toEqual(['Go', 'SQL', 'Vue', 'Excel', 'Python']);
    expect(validate(profileSchema, { name: 'x', locations: ['Chengdu ', ' Chengdu', ''] }).locations).toEqual(['Chengdu']);
  });

  it('bounds lists: too many entries, too long an entry', () => {
    const many = Array.from({ length: 31 }, (_, i) => `skill${i}`).join(',');
    expect(codes(profileSchema, { ...blankForm, skills: many })).toEqual({ skills: 'too_many' });
    expect(codes(profileSchema, { ...blankForm, skills: `ok, ${long(41)}` })).toEqual({ skills: 'too_long' });
    expect(codes(profileSchema, { ...blankForm, locations: Array.from({ length: 11 }, (_, i) => `city${i}`).join('、') })).toEqual({
      locations: 'too_many',
    });
    expect(codes(profileSchema, { ...blankForm, languages: long(31) })).toEqual({ languages: 'too_long' });
  });

  it('takes one ticked job type or several, and refuses unknown ones', () => {
    expect(validate(profileSchema, { ...blankForm, jobTypes: 'internship' }).jobTypes).toEqual(['internship']);
    expect(validate(profileSchema, { ...blankForm, jobTypes: ['part_time', 'gig'] }).jobTypes).toEqual(['part_time', 'gig']);
    expect(codes(profileSchema, { ...blankForm, jobTypes: ['full_time', 'freelance'] })).toEqual({ jobTypes: 'invalid' });
  });

  it('refuses each field with its own code', () => {
    expect(codes(profileSchema, { ...blankForm, name: ' ' })).toEqual({ name: 'required' });
    expect(codes(profileSchema, { ...blankForm, name: long(81) })).toEqual({ name: 'too_long' });
    expect(codes(profileSchema, { ...blankForm, headline: long(161) })).toEqual({ headline: 'too_long' });
    expect(codes(profileSchema, { ...blankForm, education: long(301) })).toEqual({ education: 'too_long' });
    expect(codes(profileSchema, { ...blankForm, resumeText: long(20_001) })).toEqual({ resumeText: 'too_long' });
    expect(codes(profileSchema, { ...blankForm, yearsExperience: 'three' })).toEqual({ yearsExperience: 'number' });
    expect(codes(profileSchema, { ...blankForm, yearsExperience: '2.5' })).toEqual({ yearsExperience: 'number' });
    expect(codes(profileSchema, { ...blankForm, yearsExperience: '-1' })).toEqual({ yearsExperience: 'too_small' });
    expect(codes(profileSchema, { ...blankForm, yearsExperience: '61' })).toEqual({ yearsExperience: 'too_large' });
    expect(codes(profileSchema, { ...blankForm, currency: 'GBP' })).toEqual({ currency: 'invalid' });
    expect(codes(profileSchema, { ...blankForm, salaryMin: 'lots', salaryMax: '9000' })).toEqual({ salaryMin: 'number' });
    expect(codes(profileSchema, { ...blankForm, salaryMin: '-5', salaryMax: '9000' })).toEqual({ salaryMin: 'too_small' });
  });

  it('wants an expected salary as a whole range in order, or not at all', () => {
    expect(validate(profileSchema, { ...blankForm, salaryMin: '6000', salaryMax: '6000' })).toMatchObject({ salaryMin: 6000, salaryMax: 6000 });
    expect(codes(profileSchema, { ...blankForm, salaryMin: '9000', salaryMax: '6000' })).toEqual({ salaryMax: 'salary_order' });
    expect(codes(profileSchema, { ...blankForm, salaryMin: '6000' })).toEqual({ salaryMax: 'required' });
    expect(codes(profileSchema, { ...blankForm, salaryMax: '6000' })).toEqual({ salaryMin: 'required' });
  });

  it('keeps HTML as plain text', () => {
    const profile = validate(profileSchema, { ...blankForm, headline: HTML, skills: '<b>Go</b>, <img src=x>', resumeText: HTML });
    expect(profile.headline).toBe(HTML.trim());
    expect(profile.skills).toEqual(['<b>Go</b>', '<img src=x>']);
    expect(profile.resumeText).toBe(HTML.trim());
  });
});

describe('job', () => {
  /** What the job form sends, filled in. */
  const form = {
    title: 'Frontend Engineer',
    description: 'Build the fair.',
    location: 'Hangzhou',
    jobType: 'full_time',
    salaryMin: '12000',
    salaryMax: '20000',
    currency: 'CNY',
    headcount: '3',
    skills: 'TypeScript, Svelte',
    benefits: ['social_insurance', 'housing_fund'],
  };

  it('passes a valid form as typed values', () => {
    expect(validate(jobSchema, form)).toEqual({
      title: 'Frontend Engineer',
      description: 'Build the fair.',
      location: 'Hangzhou',
      jobType: 'full_time',
      salaryMin: 12000,
      salaryMax: 20000,
      currency: 'CNY',
      headcount: 3,
      skills: ['TypeScript', 'Svelte'],
      benefits: ['social_insurance', 'housing_fund'],
    });
  });

  it('fills defaults: one opening, CNY, no skills or benefits, no description', () => {
    expect(validate(jobSchema, { title: 'Rider', location: 'Chengdu', jobType: 'gig', salaryMin: '4000', salaryMax: '9000', headcount: '' })).toEqual({
      title: 'Rider',
      description: '',
      location: 'Chengdu',
      jobType: 'gig',
      salaryMin: 4000,
      salaryMax: 9000,
      currency: 'CNY',
      headcount: 1,
      skills: [],
      benefits: [],
    });
  });

  it('refuses each field with its own code', () => {
    expect(codes(jobSchema, { ...form, title: '' })).toEqual({ title: 'required' });
    expect(codes(jobSchema, { ...form, title: long(121) })).toEqual({ title: 'too_long' });
    expect(codes(jobSchema, { ...form, location: '  ' })).toEqual({ location: 'required' });
    expect(codes(jobSchema, { ...form, location: long(121) })).toEqual({ location: 'too_long' });
    expect(codes(jobSchema, { ...form, description: long(8001) })).toEqual({ description: 'too_long' });
    expect(codes(jobSchema, { ...form, jobType: '' })).toEqual({ jobType: 'required' });
    expect(codes(jobSchema, { ...form, jobType: 'contract' })).toEqual({ jobType: 'required' });
    expect(codes(jobSchema, { ...form, currency: 'BTC' })).toEqual({ currency: 'invalid' });
    expect(codes(jobSchema, { ...form, headcount: '0' })).toEqual({ headcount: 'too_small' });
    expect(codes(jobSchema, { ...form, headcount: '10001' })).toEqual({ headcount: 'too_large' });
    expect(codes(jobSchema, { ...form, headcount: 'many' })).toEqual({ headcount: 'number' });
    expect(codes(jobSchema, { ...form, skills: Array.from({ length: 21 }, (_, i) => `s${i}`).join('\n') })).toEqual({ skills: 'too_many' });
    expect(codes(jobSchema, { ...form, benefits: ['meals', 'spa'] })).toEqual({ benefits: 'invalid' });
    expect(validate(jobSchema, { ...form, benefits: 'meals' }).benefits).toEqual(['meals']);
  });

  it('requires a salary range in order', () => {
    expect(codes(jobSchema, { ...form, salaryMin: '', salaryMax: '' })).toEqual({ salaryMin: 'required', salaryMax: 'required' });
    expect(codes(jobSchema, { ...form, salaryMin: '' })).toEqual({ salaryMin: 'required' });
    expect(codes(jobSchema, { ...form, salaryMax: '8000.5' })).toEqual({ salaryMax: 'number' });
    expect(codes(jobSchema, { ...form, salaryMin: '20001' })).toEqual({ salaryMax: 'salary_order' });
    expect(codes(jobSchema, { ...form, salaryMax: '10000001' })).toEqual({ salaryMax: 'too_large' });
    expect(validate(jobSchema, { ...form, salaryMin: '5000', salaryMax: '5000' })).toMatchObject({ salaryMin: 5000, salaryMax: 5000 });
  });

  it('keeps HTML as plain text', () => {
    const job = validate(jobSchema, { ...form, title: '<h1>Boss</h1>', description: HTML, skills: '<svg onload=x>' });
    expect(job.title).toBe('<h1>Boss</h1>');
    expect(job.description).toBe(HTML.trim());
    expect(job.skills).toEqual(['<svg onload=x>']);
  });
});
