import { getElements } from './loadOptions';
import { searchModels } from './listSearch';

export const listSearch = { searchModels };

export const loadOptions = { getElements };
